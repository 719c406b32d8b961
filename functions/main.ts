/**
 * The entry the Functions host loads (package.json "main" -> dist/main.js). Registers every function
 * and builds the runtime eagerly, so a bad setting or device map fails start-up, not a request.
 */
import './appSetup';
import './ingest';
import './health';
import './sweep';
import './tableExport';
import { getRuntime } from '../shared/runtime';

getRuntime();
