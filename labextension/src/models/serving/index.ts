export * from './endpoints';
export * from './split';
export * from './stats';
