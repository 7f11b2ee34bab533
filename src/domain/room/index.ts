export * from './constants.js';
export * from './capabilities.js';
export * from './commands.js';
export * from './decider.js';
export * from './errors.js';
export * from './events.js';
export * from './rules.js';
export * from './state.js';
