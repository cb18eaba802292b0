export { DecisionCache, DecisionCacheClosedError, DecisionStreamError, type DecisionCacheOptions, type DecisionCacheState, type DecisionStreamBody } from './decision-cache.js';
export { DecisionSet } from './decision-set.js';
export { VigilGuard, createGuard, type FailMode, type GuardErrorBody, type GuardStats, type GuardVerdict, type VigilGuardOptions } from './guard.js';
export { vigilExpress, type VigilExpressMiddleware } from './express.js';
export { vigilFastify, type VigilFastifyOptions } from './fastify.js';
export { vigilHttp, type GuardedHttpHandler, type HttpHandler } from './http.js';
