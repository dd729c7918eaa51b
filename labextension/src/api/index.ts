export * from './client';
export * from './events';
export * from './request';
export type * from './types.gen';
