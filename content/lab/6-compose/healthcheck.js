'use strict';
// Run by the image's HEALTHCHECK: exits 0 when GET /health answers 200,
// 1 otherwise. The image has no curl, and needs none: Node can ask itself.

const http = require('node:http');

const port = Number(process.env.PORT) || 3000;
const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => {
  console.error(`health check failed: ${err.message}`);
  process.exit(1);
});
