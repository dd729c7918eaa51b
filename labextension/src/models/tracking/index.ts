export * from './columns';
export * from './comparison';
export * from './experiments';
export * from './runs';
