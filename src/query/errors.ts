/**
 * The one error the filter language throws: an invalid filter. It is a
 * boundary error (user text), never thrown while matching entries.
 */
export class FilterError extends Error {
  override readonly name = 'FilterError';

  /**
   * @param column 1-based column in the filter text where the problem starts
   *   (one past the end for "found end of input").
   * @param detail what was expected and what was found, without the column.
   */
  constructor(readonly column: number, readonly detail: string) {
    super(`column ${column}: ${detail}`);
  }
}
