/** A bad flag or argument: reported as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
