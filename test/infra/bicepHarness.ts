/**
 * Shared by the infrastructure tests: gets a real Bicep CLI (installing the pinned one through
 * `dotnet restore` when none is found) and walks compiled ARM JSON.
 *
 * Under CI a missing CLI is a failure; elsewhere the Bicep suites are skipped with a loud notice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_INSTALL_TIMEOUT_MS, ensureBicep, type BicepCli } from '../../scripts/infra/bicepCli';
import { failInCiOrWarn } from '../helpers/ci';

let cached: { cli: BicepCli | undefined } | undefined;

/**
 * The Bicep CLI, or undefined (outside CI only) when it cannot be found or installed.
 * Runs at collection time so that suites can be declared with describe.skip.
 */
export function bicepOrSkip(): BicepCli | undefined {
  if (cached) return cached.cli;
  try {
    const cli = ensureBicep({
      timeoutMs: DEFAULT_INSTALL_TIMEOUT_MS,
      log: (line) => process.stdout.write(`[bicep] ${line}\n`),
    });
    cached = { cli };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    failInCiOrWarn(
      'the Bicep CLI',
      `${reason}. Run \`npm run bicep:install\` (needs the .NET SDK), put \`bicep\` on PATH, or set BICEP_PATH.`,
    );
    cached = { cli: undefined };
  }
  return cached.cli;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

// --- compiled ARM JSON ---------------------------------------------------------------------------

export interface ArmParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  minValue?: number;
  maxValue?: number;
  metadata?: Record<string, unknown>;
}

export interface ArmResource {
  type: string;
  apiVersion: string;
  name: string;
  location?: unknown;
  tags?: unknown;
  kind?: string;
  sku?: Record<string, unknown>;
  identity?: Record<string, unknown>;
  condition?: unknown;
  scope?: string;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ArmTemplate {
  $schema: string;
  parameters?: Record<string, ArmParameter>;
  variables?: Record<string, unknown>;
  resources: Record<string, ArmResource> | ArmResource[];
  outputs?: Record<string, { type: string; value: unknown }>;
}

export interface ArmModule {
  symbol: string;
  deployment: ArmResource;
  template: ArmTemplate;
  /** Values the parent passes, as expressions in the parent's scope. */
  parameters: Record<string, unknown>;
}

/** Resources of one template, keyed by symbolic name (languageVersion 2.0) or array index. */
export function resourcesOf(template: ArmTemplate): Array<[string, ArmResource]> {
  return Array.isArray(template.resources)
    ? template.resources.map((r, i) => [String(i), r])
    : Object.entries(template.resources);
}

/** The modules of the main template (nested Microsoft.Resources/deployments), by symbolic name. */
export function modulesOf(main: ArmTemplate): Map<string, ArmModule> {
  const modules = new Map<string, ArmModule>();
  for (const [symbol, resource] of resourcesOf(main)) {
    if (resource.type !== 'Microsoft.Resources/deployments') continue;
    const properties = resource.properties as {
      template: ArmTemplate;
      parameters?: Record<string, { value: unknown }>;
    };
    const parameters = Object.fromEntries(
      Object.entries(properties.parameters ?? {}).map(([name, p]) => [name, p.value]),
    );
    modules.set(symbol, { symbol, deployment: resource, template: properties.template, parameters });
  }
  return modules;
}

export function module(main: ArmTemplate, symbol: string): ArmModule {
  const found = modulesOf(main).get(symbol);
  if (!found) throw new Error(`module ${symbol} not found in the compiled template`);
  return found;
}

/** Resources of a given type inside a template. */
export function ofType(template: ArmTemplate, type: string): ArmResource[] {
  return resourcesOf(template)
    .map(([, r]) => r)
    .filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

export function single(template: ArmTemplate, type: string): ArmResource {
  const found = ofType(template, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0] as ArmResource;
}

const PARAM_REF = /^\[parameters\('([^']+)'\)\]$/;
const VAR_REF = /^\[variables\('([^']+)'\)\]$/;

/** Name of the parameter when `expr` is exactly `[parameters('x')]`. */
export function paramRef(expr: unknown): string | undefined {
  return typeof expr === 'string' ? PARAM_REF.exec(expr)?.[1] : undefined;
}

/**
 * Follows a value through plain `[parameters('x')]` / `[variables('x')]` references: from inside a
 * module to what main passes it, then to main's variables or to a main parameter's default value.
 * Anything else (a literal, or an expression that is more than a reference) is returned as it is.
 */
export function resolveValue(main: ArmTemplate, moduleSymbol: string | undefined, expr: unknown): unknown {
  if (typeof expr !== 'string') return expr;
  const param = PARAM_REF.exec(expr)?.[1];
  const variable = VAR_REF.exec(expr)?.[1];
  if (moduleSymbol) {
    const mod = module(main, moduleSymbol);
    if (param !== undefined) {
      if (!(param in mod.parameters)) return mod.template.parameters?.[param]?.defaultValue;
      return resolveValue(main, undefined, mod.parameters[param]);
    }
    if (variable !== undefined) return resolveValue(main, moduleSymbol, mod.template.variables?.[variable]);
    return expr;
  }
  if (param !== undefined)
    return { mainParameter: param, defaultValue: main.parameters?.[param]?.defaultValue };
  if (variable !== undefined) return resolveValue(main, undefined, main.variables?.[variable]);
  return expr;
}
