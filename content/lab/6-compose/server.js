'use strict';
// A small web server with node:http, the HTTP server built into Node.js.
//   GET /        a greeting; with Redis, also the number of visits so far
//   GET /health  "ok" when the app (and its Redis, if any) can serve

const http = require('node:http');
const redis = require('./redis');

function createApp({ db = null } = {}) {
  return http.createServer(async (req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${text}\n`);
    };
    const path = req.url.split('?')[0];
    try {
      if (req.method !== 'GET') return send(405, 'Only GET is supported');
      if (path === '/') {
        if (!db) return send(200, 'Hello from Node.js in a container!');
        const visits = await redis.command(db, 'INCR', 'visits');
        return send(200, `Hello from Node.js in a container! Visits: ${visits}`);
      }
      if (path === '/health') {
        if (db) await redis.command(db, 'PING');
        return send(200, 'ok');
      }
      return send(404, 'Not found');
    } catch (err) {
      return send(503, `Unavailable: ${err.message}`);
    }
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT) || 3000;
  const db = redis.fromEnv(process.env);
  const server = createApp({ db });
  server.listen(port, () => {
    const where = db ? `, counting visits in Redis at ${db.host}:${db.port}` : '';
    console.log(`listening on port ${port}${where}`);
  });
  // In a container this process is PID 1, which gets no default signal
  // handlers: without these lines `docker stop` would wait 10 seconds and
  // then kill it.
  const stop = (signal) => {
    console.log(`${signal} received, closing`);
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { createApp };
