/** One line on stderr for anything a user can cause (architecture.md). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}

export function printError(message: string): void {
  // Keep it to one line even when a path or comm carries a newline.
  process.stderr.write(`daemon-check: ${message.replace(/[\r\n]+/g, ' ')}\n`);
}
