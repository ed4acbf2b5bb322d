/**
 * JSONata (https://docs.jsonata.org, the npm `jsonata` package, 2.x) for workflows: node input
 * mappings, forEach item lists and edge conditions. Expressions are parsed once and kept by
 * their text (a version's expressions never change). JSONata 2 evaluates asynchronously, which
 * is why workflows decide their next nodes right after a node's settlement commits, not inside
 * it (see node-end.ts).
 */
import jsonata from 'jsonata';

type Expression = ReturnType<typeof jsonata>;

/** Parsed expressions by text; bounded, oldest dropped first. */
const MAX_CACHED = 5000;

export class Expressions {
  readonly #parsed = new Map<string, Expression>();
  /** Per expression text, its field names when it is a plain path (`input.items`), else null. */
  readonly #paths = new Map<string, string[] | null>();

  /** Parses (or finds) an expression; throws ExpressionError when it does not parse. */
  parse(text: string): Expression {
    let expression = this.#parsed.get(text);
    if (expression === undefined) {
      try {
        expression = jsonata(text);
      } catch (error) {
        throw new ExpressionError(describe(error));
      }
      if (this.#parsed.size >= MAX_CACHED) this.#parsed.delete(this.#parsed.keys().next().value!);
      this.#parsed.set(text, expression);
    }
    return expression;
  }

  /** The value of `text` over `context`; throws ExpressionError on a parse or evaluation error. */
  async evaluate(text: string, context: unknown): Promise<unknown> {
    const expression = this.parse(text);
    try {
      return await expression.evaluate(context);
    } catch (error) {
      throw new ExpressionError(describe(error));
    }
  }

  /**
   * The value of `text` over `context` without awaiting, when JSONata's answer is known to be
   * plain field navigation: the expression is a path of field names only (its parsed AST says so)
   * and every step before the last lands on an object that is not a list (where JSONata would map
   * over a list, or evaluate anything else, this answers undefined and the caller evaluates with
   * `evaluate`). It lets a node run's end decide what follows inside its settlement's
   * transaction, which must not await (node-end.ts).
   */
  evaluateNow(text: string, context: unknown): { value: unknown } | undefined {
    let names = this.#paths.get(text);
    if (names === undefined) {
      names = plainPath(this.parse(text).ast() as AstNode);
      if (this.#paths.size >= MAX_CACHED) this.#paths.delete(this.#paths.keys().next().value!);
      this.#paths.set(text, names);
    }
    if (names === null) return undefined;
    let value: unknown = context;
    for (const name of names) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return value === undefined ? { value: undefined } : undefined;
      }
      value = (value as Record<string, unknown>)[name];
    }
    return { value };
  }
}

/** The field names of a path made of names only (`a.b.c`), else null. */
function plainPath(ast: AstNode): string[] | null {
  const plain = (node: AstNode, keys: readonly string[]) => Object.keys(node).every((k) => keys.includes(k));
  if (ast.type === 'name' && plain(ast, ['type', 'value', 'position'])) return [String(ast.value)];
  if (ast.type !== 'path' || !Array.isArray(ast.steps) || !plain(ast, ['type', 'steps'])) return null;
  const names: string[] = [];
  for (const step of ast.steps) {
    if (step.type !== 'name' || !plain(step, ['type', 'value', 'position'])) return null;
    names.push(String(step.value));
  }
  return names;
}

/** An expression that did not parse or failed to evaluate; the message says where. */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** JSONata's errors carry a code, a message and the position in the text. */
function describe(error: unknown): string {
  const e = error as { message?: string; position?: number; token?: string };
  const message = e.message ?? String(error);
  return e.position !== undefined ? `${message} (at character ${e.position})` : message;
}

/** A JSONata AST node, as far as the name check below reads it. */
interface AstNode {
  type?: string;
  value?: unknown;
  steps?: AstNode[];
  [key: string]: unknown;
}

/**
 * Node keys an expression names as `nodes.<key>` (at the start of a path): what the definition
 * check can see. Names built at run time (`nodes.$lookup(...)`) are not found.
 */
export function namedNodes(expression: Expression): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as AstNode;
    if (node.type === 'path' && Array.isArray(node.steps)) {
      const [first, second] = node.steps;
      if (first?.type === 'name' && first.value === 'nodes' && second?.type === 'name') {
        found.add(String(second.value));
      }
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'value') visit(child);
  };
  visit(expression.ast());
  return [...found];
}
