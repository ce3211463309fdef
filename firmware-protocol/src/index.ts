export { TrialgateError, isTrialgateError, type TrialgateErrorOptions } from './errors/trialgate-error.js';
