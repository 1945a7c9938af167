/**
 * A deploy value that cannot be rendered: names the value (its dotted path,
 * as in values.yaml), what is wrong with it and how to fix it, in one line.
 */
export class DeployValuesError extends Error {
  override readonly name = 'DeployValuesError';
  constructor(readonly path: string, readonly problem: string, readonly fix: string) {
    super(`deploy value ${path}: ${problem}; ${fix}`);
  }
}
