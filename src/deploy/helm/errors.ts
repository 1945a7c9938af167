/** A template that does not parse or fails while rendering, with file and line (as Helm reports it). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}
