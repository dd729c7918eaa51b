// plotly.js-dist-min is the prebuilt bundle of plotly.js: same API, types from @types/plotly.js.
declare module 'plotly.js-dist-min' {
  export * from 'plotly.js';
}
