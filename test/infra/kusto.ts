/**
 * Microsoft's Kusto language service (npm @kusto/language-service-next, the parser and binder behind
 * the portal's query editor) with a declared schema of the Application Insights tables our queries
 * read, as the docs list their columns (docs/OPERATIONS.md#how-the-queries-are-checked). A query is
 * parsed and semantically checked against it: an unknown table, column or function is an error.
 */
import '@kusto/language-service-next/bridge.js';
import '@kusto/language-service-next';

/* eslint-disable @typescript-eslint/no-explicit-any -- the Bridge.NET build declares its API on a global */
const K = (globalThis as any).Kusto.Language;

const operation =
  'operation_Name:string, operation_Id:string, operation_ParentId:string, operation_SyntheticSource:string, ' +
  'session_Id:string, user_Id:string, user_AuthenticatedId:string, user_AccountId:string, application_Version:string, ' +
  'client_Type:string, client_Model:string, client_OS:string, client_IP:string, client_City:string, ' +
  'client_StateOrProvince:string, client_CountryOrRegion:string, client_Browser:string, cloud_RoleName:string, ' +
  'cloud_RoleInstance:string, appId:string, appName:string, iKey:string, sdkVersion:string, itemId:string, itemCount:int';

/**
 * The classic Application Insights schema (what a log alert scoped to the component queries):
 * learn.microsoft.com/azure/azure-monitor/app/data-model-complete (traces, requests) and the
 * AppTraces / AppRequests references for the workspace columns they map to.
 */
export const APPLICATION_INSIGHTS_TABLES: Record<string, string> = {
  traces: `(timestamp:datetime, message:string, severityLevel:int, itemType:string, customDimensions:dynamic, customMeasurements:dynamic, ${operation})`,
  requests: `(timestamp:datetime, id:string, source:string, name:string, url:string, success:bool, resultCode:string, duration:real, performanceBucket:string, itemType:string, customDimensions:dynamic, customMeasurements:dynamic, ${operation})`,
  exceptions: `(timestamp:datetime, problemId:string, handledAt:string, type:string, message:string, assembly:string, method:string, outerType:string, outerMessage:string, outerAssembly:string, outerMethod:string, innermostType:string, innermostMessage:string, innermostAssembly:string, innermostMethod:string, severityLevel:int, details:dynamic, itemType:string, customDimensions:dynamic, customMeasurements:dynamic, ${operation})`,
  customMetrics: `(timestamp:datetime, name:string, value:real, valueCount:int, valueSum:real, valueMin:real, valueMax:real, valueStdDev:real, itemType:string, customDimensions:dynamic, ${operation})`,
};

const globals = K.GlobalState.Default.WithDatabase(
  new K.Symbols.DatabaseSymbol.$ctor2(
    'applicationInsights',
    null,
    Object.entries(APPLICATION_INSIGHTS_TABLES).map(
      ([name, schema]) => new K.Symbols.TableSymbol.$ctor7(name, schema, null),
    ),
  ),
);

export interface KustoDiagnostic {
  severity: string;
  code: string;
  message: string;
  at: string;
}

/** A comparison in the query: a column compared with `==` or `in` to string literals. */
export interface Comparison {
  column: string;
  values: string[];
}

export interface CheckedQuery {
  diagnostics: KustoDiagnostic[];
  comparisons: Comparison[];
  /** Every `name.field` path the query reads (e.g. `line.outcome`). */
  paths: string[];
}

export function checkQuery(query: string): CheckedQuery {
  const code = K.KustoCode.ParseAndAnalyze(query, globals);
  const list = code.GetDiagnostics();
  const diagnostics: KustoDiagnostic[] = [];
  for (let i = 0; i < list.Count; i++) {
    const d = list.getItem(i);
    diagnostics.push({
      severity: d.Severity,
      code: d.Code,
      message: d.Message,
      at: query.slice(d.Start, d.Start + 40),
    });
  }
  const comparisons: Comparison[] = [];
  const paths: string[] = [];
  const X = K.Syntax;
  code.Syntax.WalkNodes((node: any) => {
    if (node instanceof X.PathExpression) paths.push(String(node.toString()).trim());
    const isEquality = node instanceof X.BinaryExpression && String(node.Operator.toString()).trim() === '==';
    if (!(node instanceof X.InExpression) && !isEquality) return;
    if (!(node.Left instanceof X.NameReference)) return;
    const values = stringLiterals(String(node.Right.toString()));
    if (values.length > 0) comparisons.push({ column: node.Left.SimpleName, values });
  });
  return { diagnostics, comparisons, paths };
}

/** The double-quoted string literals in a piece of KQL. */
function stringLiterals(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
}
