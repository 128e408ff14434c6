/** File mode bits as an operator reads them: "0022", "0644". */
export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** Anyone may write it (S_IWOTH). */
export function isWorldWritable(mode: number): boolean {
  return (mode & 0o002) !== 0;
}
