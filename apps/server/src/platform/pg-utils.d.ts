// node-postgres's own value serialisation (the text it binds a parameter as); the package exports
// the path, @types/pg does not describe it.
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): string | Buffer | null | undefined;
}
