'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { createApp } = require('../server');

// listen starts a server on a free port of the loopback address.
function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

// get makes a GET request and collects the answer.
function get(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

test('GET / greets', async (t) => {
  const app = createApp();
  const port = await listen(app);
  t.after(() => app.close());
  const res = await get(port, '/');
  assert.equal(res.status, 200);
  assert.equal(res.body, 'Hello from Node.js in a container!\n');
});

test('GET /health answers ok', async (t) => {
  const app = createApp();
  const port = await listen(app);
  t.after(() => app.close());
  const res = await get(port, '/health');
  assert.equal(res.status, 200);
  assert.equal(res.body, 'ok\n');
});

test('an unknown path is a 404', async (t) => {
  const app = createApp();
  const port = await listen(app);
  t.after(() => app.close());
  const res = await get(port, '/nothing-here');
  assert.equal(res.status, 404);
});

test('counts visits in Redis with INCR', async (t) => {
  // A fake Redis that answers every command with the next number.
  let count = 0;
  const received = [];
  const fake = net.createServer((socket) => {
    socket.on('data', (data) => {
      received.push(data.toString());
      count += 1;
      socket.write(`:${count}\r\n`);
    });
  });
  const redisPort = await listen(fake);
  t.after(() => fake.close());
  const app = createApp({ db: { host: '127.0.0.1', port: redisPort } });
  const port = await listen(app);
  t.after(() => app.close());

  assert.match((await get(port, '/')).body, /Visits: 1$/m);
  assert.match((await get(port, '/')).body, /Visits: 2$/m);
  assert.equal(received[0], '*2\r\n$4\r\nINCR\r\n$6\r\nvisits\r\n');
});

test('/health fails when Redis is unreachable', async (t) => {
  // Take a free port, then close it again: nothing listens there.
  const closed = net.createServer();
  const redisPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const app = createApp({ db: { host: '127.0.0.1', port: redisPort } });
  const port = await listen(app);
  t.after(() => app.close());
  const res = await get(port, '/health');
  assert.equal(res.status, 503);
});
