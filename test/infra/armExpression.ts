/**
 * Evaluates the small part of the ARM template expression language that the template's guards use
 * (`if`, `and`, `or`, `not`, comparisons, `contains`, `empty`, `createArray`, `format`, `toLower`, `replace`,
 * `parameters`, `variables`, `fail`), so a test can run a guard with chosen parameter values the way
 * Azure Resource Manager would, instead of only reading its text. `fail` throws its message.
 */
import type { ArmTemplate } from './bicepHarness';

type Value = string | number | boolean | Value[];

export class ArmFail extends Error {
  override name = 'ArmFail';
}

type Node = { call: string; args: Node[] } | { literal: string | number };

function parse(expression: string): Node {
  const source = expression.trim();
  if (!source.startsWith('[') || !source.endsWith(']')) return { literal: source };
  let i = 1;
  const end = source.length - 1;
  const skip = () => {
    while (i < end && /\s/.test(source[i]!)) i++;
  };
  const node = (): Node => {
    skip();
    if (source[i] === "'") {
      let text = '';
      for (i++; ; i++) {
        if (source[i] === "'" && source[i + 1] === "'") {
          text += "'";
          i++;
        } else if (source[i] === "'") break;
        else text += source[i];
      }
      i++;
      return { literal: text };
    }
    const number = /^-?\d+/.exec(source.slice(i));
    if (number) {
      i += number[0].length;
      return { literal: Number(number[0]) };
    }
    const name = /^[A-Za-z][A-Za-z0-9]*/.exec(source.slice(i))?.[0];
    if (!name || source[i + name.length] !== '(')
      throw new Error(`unsupported expression at ${i}: ${source}`);
    i += name.length + 1;
    const args: Node[] = [];
    for (skip(); source[i] !== ')'; skip()) {
      args.push(node());
      skip();
      if (source[i] === ',') i++;
    }
    i++;
    return { call: name, args };
  };
  const root = node();
  skip();
  if (i !== end) throw new Error(`unsupported expression (property access?): ${source}`);
  return root;
}

/** The value of `expression` in `template` for the given parameter values (defaults fill the rest). */
export function evaluate(
  template: ArmTemplate,
  expression: unknown,
  parameters: Record<string, Value>,
): Value {
  const param = (name: string): Value => {
    if (name in parameters) return parameters[name]!;
    const declared = template.parameters?.[name];
    if (declared && 'defaultValue' in declared) return evaluate(template, declared.defaultValue, parameters);
    throw new Error(`parameter ${name} has no value`);
  };
  const run = (node: Node): Value => {
    if ('literal' in node) return node.literal;
    const lazy = node.args;
    const args = () => lazy.map(run);
    switch (node.call.toLowerCase()) {
      case 'if':
        return run(lazy[0]!) ? run(lazy[1]!) : run(lazy[2]!);
      case 'and':
        return lazy.every((a) => run(a) === true);
      case 'or':
        return lazy.some((a) => run(a) === true);
      case 'not':
        return !run(lazy[0]!);
      case 'true':
        return true;
      case 'false':
        return false;
      case 'equals': {
        const [a, b] = args();
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'less':
        return (run(lazy[0]!) as number) < (run(lazy[1]!) as number);
      case 'lessorequals':
        return (run(lazy[0]!) as number) <= (run(lazy[1]!) as number);
      case 'greater':
        return (run(lazy[0]!) as number) > (run(lazy[1]!) as number);
      case 'greaterorequals':
        return (run(lazy[0]!) as number) >= (run(lazy[1]!) as number);
      case 'contains': {
        const [container, item] = args();
        return Array.isArray(container)
          ? container.some((c) => JSON.stringify(c) === JSON.stringify(item))
          : String(container).includes(String(item));
      }
      case 'empty': {
        const value = run(lazy[0]!);
        return Array.isArray(value) || typeof value === 'string' ? value.length === 0 : false;
      }
      case 'createarray':
        return args();
      case 'tolower':
        return String(run(lazy[0]!)).toLowerCase();
      case 'replace': {
        const [text, from, to] = args();
        return String(text).split(String(from)).join(String(to));
      }
      case 'format': {
        const [pattern, ...values] = args();
        // .NET composite formatting: {{ and }} are literal braces.
        return String(pattern).replace(/\{\{|\}\}|\{(\d+)\}/g, (m, n?: string) =>
          n === undefined ? m[0]! : String(values[Number(n)]),
        );
      }
      case 'parameters':
        return param(String(run(lazy[0]!)));
      case 'variables': {
        const value = template.variables?.[String(run(lazy[0]!))];
        return typeof value === 'string' ? evaluate(template, value, parameters) : (value as Value);
      }
      case 'fail':
        throw new ArmFail(String(run(lazy[0]!)));
      default:
        throw new Error(`function ${node.call} is not supported by this evaluator`);
    }
  };
  return typeof expression === 'string' ? run(parse(expression)) : (expression as Value);
}
