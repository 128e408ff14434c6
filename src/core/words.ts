/** The small pieces of wording every layer shares, so each is written once. */

/** "bash (6264)": how every sentence names a process. */
export function processLabel(p: { pid: number; comm: string }): string {
  return `${p.comm} (${p.pid})`;
}
