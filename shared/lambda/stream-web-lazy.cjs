'use strict';
// `node:stream/web`, loaded on first use. @middy/core imports it at the top for streamed responses,
// which no Switchyard function sends; loading it costs about 10 ms of every cold start (measured by
// `npm run bench`, bundles group). serverless.yml's esbuild `alias` points the import here.
let web;
module.exports = new Proxy({}, { get: (_target, key) => (web ??= require('stream/web'))[key] });
