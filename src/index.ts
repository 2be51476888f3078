/**
 * tufkit: The Update Framework (TUF 1.0.x) in TypeScript.
 *
 * The package root re-exports the public API of every layer.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './verify/types.js';
export { NodeEngine } from './verify/node-engine.js';
