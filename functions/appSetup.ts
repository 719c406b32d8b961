import { app } from '@azure/functions';

/**
 * App-wide options; main.ts imports this before any function registers (the library refuses
 * setup afterwards). With streaming on, the host hands the request body to the handler as it
 * arrives instead of buffering all of it (up to its 100 MB limit) first, so MAX_BODY_BYTES bounds
 * what an oversized upload costs in memory. Needs Functions host 4.28+, which Flex Consumption runs.
 */
app.setup({ enableHttpStream: true });
