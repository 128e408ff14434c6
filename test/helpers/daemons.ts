/**
 * Command lines of the Debian daemons the live tests start for real, each
 * confined to a temp dir and a port on 127.0.0.1.
 */

/** redis-server (BIN) daemonizing itself, its pidfile, log and data in DIR, nothing saved to disk. */
export function redisDaemonizing(bin: string, dir: string, port: number): { argv: string[]; pidfile: string } {
  const pidfile = `${dir}/redis.pid`;
  const argv = [bin, '--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--pidfile', pidfile];
  return {
    argv: [...argv, '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', `${dir}/redis.log`],
    pidfile,
  };
}
