export { type App, type BuildOptions, buildApp } from './app.ts';
export { loadConfig } from './platform/config.ts';
