/** Knowledge rows: databases, caches, containers, service discovery and monitoring. */
import { ALREADY_FOREGROUND, debian, opt, val } from './rule.js';
import type { ProgramInfo } from './types.js';

export const DATA_PROGRAMS: readonly ProgramInfo[] = [
  {
    id: 'redis-server', names: ['redis-server', 'redis-sentinel'], role: 'service', daemonizesByDefault: false,
    detachFlags: [val('--daemonize', /^yes$/i)], stayFlags: [val('--daemonize', /^no$/i)],
    config: { directive: 'daemonize yes', positional: true },
    foreground: { add: ['--daemonize', 'no'], at: 'end', remove: [val('--daemonize')] },
    readiness: 'notify', notifyArgs: ['--supervised', 'systemd'],
    pidfile: { path: '/var/run/redis_6379.pid', flag: '--pidfile', directive: 'pidfile' },
    source: 'https://raw.githubusercontent.com/redis/redis/7.0/redis.conf',
    notes: "The config file must be the first argument; options after it override it, so the override goes last. Debian's /etc/redis/redis.conf says 'daemonize yes'; redis-server.service adds --supervised systemd --daemonize no (Type=notify). Retitles itself 'redis-server HOST:PORT'. Checked here (live test).",
  },
  {
    id: 'memcached', names: ['memcached'], role: 'service', daemonizesByDefault: false,
    detachFlags: [opt('-d', '--daemon')],
    foreground: { remove: [opt('-d', '--daemon')] },
    readiness: 'simple', pidfile: { flag: '-P' },
    source: debian('memcached', 'memcached.1'),
    notes: "-P is honoured only with -d. No sd_notify in Debian's build; memcached.service runs it in the foreground through systemd-memcached-wrapper. Checked here (live test).",
  },
  {
    id: 'postgres', names: ['postgres', 'postmaster'], role: 'service', daemonizesByDefault: false,
    foreground: ALREADY_FOREGROUND,
    readiness: 'notify', pidfile: { path: '$PGDATA/postmaster.pid' },
    source: 'https://www.postgresql.org/docs/current/server-start.html',
    notes: "postgres never forks itself away: pg_ctl start (and Debian's pg_ctlcluster) launch it in the background. Type=notify needs a build --with-systemd (Debian's is linked with libsystemd). Children retitle themselves 'postgres: 15/main: checkpointer' etc.",
  },
  {
    id: 'mysqld', names: ['mysqld', 'mariadbd'], role: 'service', daemonizesByDefault: false,
    detachFlags: [opt('--daemonize')],
    foreground: { remove: [opt('--daemonize')] },
    readiness: 'notify', pidfile: { path: '/run/mysqld/mysqld.pid', flag: '--pid-file' },
    source: 'https://mariadb.com/kb/en/systemd/',
    notes: "--daemonize exists in Oracle MySQL only (it can also be set in my.cnf); MariaDB never forks itself, mysqld_safe runs it. On Debian mysqld is a link to mariadbd and mariadb.service is Type=notify.",
  },
  {
    id: 'mongod', names: ['mongod'], role: 'service', daemonizesByDefault: false,
    detachFlags: [opt('--fork')],
    config: { directive: 'processManagement.fork: true', fileFlags: ['-f', '--config'] },
    foreground: { remove: [opt('--fork')] },
    readiness: 'forking', pidfile: { flag: '--pidfilepath', directive: 'processManagement.pidFilePath' },
    source: 'https://www.mongodb.com/docs/manual/reference/program/mongod/#std-option-mongod.--fork',
    notes: '--fork needs --logpath or --syslog; the launcher exits once the forked server has started. No option undoes fork: true in a config file.',
  },
  {
    id: 'dockerd', names: ['dockerd'], role: 'service', daemonizesByDefault: false,
    foreground: ALREADY_FOREGROUND,
    readiness: 'notify', pidfile: { path: '/var/run/docker.pid', flag: '--pidfile' },
    source: 'https://docs.docker.com/reference/cli/dockerd/',
    notes: "docker.service runs dockerd -H fd:// as Type=notify.",
  },
  {
    id: 'containerd', names: ['containerd'], role: 'service', daemonizesByDefault: false,
    foreground: ALREADY_FOREGROUND, readiness: 'notify',
    source: debian('containerd', 'containerd.8'),
    notes: 'containerd.service is Type=notify. Its shims (containerd-shim-runc-v2) are separate programs.',
  },
  {
    id: 'etcd', names: ['etcd'], role: 'service', daemonizesByDefault: false,
    foreground: ALREADY_FOREGROUND, readiness: 'notify',
    source: 'https://etcd.io/docs/v3.5/op-guide/configuration/',
    notes: "Debian's etcd.service is Type=notify.",
  },
  {
    id: 'consul', names: ['consul'], role: 'service', daemonizesByDefault: false,
    foreground: ALREADY_FOREGROUND, readiness: 'notify', pidfile: { flag: '-pid-file' },
    source: 'https://github.com/hashicorp/consul/blob/main/.release/linux/package/usr/lib/systemd/system/consul.service',
    notes: "Runs as 'consul agent'; HashiCorp's own unit is Type=notify.",
  },
  {
    id: 'prometheus', names: ['prometheus'], role: 'service', daemonizesByDefault: false,
    foreground: ALREADY_FOREGROUND, readiness: 'simple',
    source: 'https://prometheus.io/docs/prometheus/latest/command-line/prometheus/',
  },
  {
    id: 'node_exporter', names: ['node_exporter', 'prometheus-node-exporter'], role: 'service', daemonizesByDefault: false,
    foreground: ALREADY_FOREGROUND, readiness: 'simple',
    source: 'https://github.com/prometheus/node_exporter',
    notes: "Debian names the binary prometheus-node-exporter (comm 'prometheus-node').",
  },
  {
    id: 'grafana-server', names: ['grafana-server', 'grafana'], role: 'service', daemonizesByDefault: false,
    foreground: ALREADY_FOREGROUND, readiness: 'simple', pidfile: { flag: '--pidfile' },
    source: 'https://grafana.com/docs/grafana/latest/setup-grafana/start-restart-grafana/',
    notes: "Grafana 10+ runs as 'grafana server'; Grafana's own grafana-server.service is Type=simple.",
  },
];
