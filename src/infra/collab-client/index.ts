export * from './port.js';
export * from './errors.js';
export * from './http-collab-client.js';
