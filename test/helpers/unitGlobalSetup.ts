/**
 * What every jest run needs before the first test, Azurite or not: the project's Node major and the
 * Ajv standalone validators (shared/generated/). The unit-only config (jest.unit.config.js, which
 * `npm run mutation` runs) uses this alone; the full run's globalSetup.ts adds Azurite.
 */
import { generateValidators } from '../../scripts/build/buildValidators';
import { failInCiOrWarn } from './ci';

/** functionAppConfig.runtime.version in infra/app/api.bicep. */
const PRODUCTION_NODE_MAJOR = 22;

export default function unitGlobalSetup(): void {
  // Azure runs the app on Node 22; tests on another major prove less (the project brings 22 on Linux x64).
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== PRODUCTION_NODE_MAJOR) {
    failInCiOrWarn(
      `Node ${PRODUCTION_NODE_MAJOR}`,
      `running on Node ${process.versions.node}; run through npm (npm test)`,
    );
  }
  generateValidators();
}
