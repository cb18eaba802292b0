export {
  VigilClient,
  LOGIN_FAILURE_REASONS,
  VIOLATION_TYPES,
  type ClientRef,
  type LoginFailureInput,
  type LoginFailureReason,
  type LoginInput,
  type ViolationInput,
  type ViolationType,
  type VigilClientOptions,
  type VigilClientStats,
} from './vigil-client.js';
export { RequestIp, rawRequest, type AnyRequest } from './request-ip.js';
