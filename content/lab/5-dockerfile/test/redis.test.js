'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { encode, parse, fromEnv, RedisError } = require('../redis');

test('encodes a command as RESP', () => {
  assert.equal(encode(['INCR', 'visits']), '*2\r\n$4\r\nINCR\r\n$6\r\nvisits\r\n');
});

test('parses RESP replies', () => {
  assert.equal(parse(Buffer.from('+PONG\r\n'))[0], 'PONG');
  assert.equal(parse(Buffer.from(':42\r\n'))[0], 42);
  assert.equal(parse(Buffer.from('$5\r\nhello\r\n'))[0], 'hello');
  assert.equal(parse(Buffer.from('$-1\r\n'))[0], null);
  assert.deepEqual(parse(Buffer.from('*2\r\n:1\r\n+OK\r\n'))[0], [1, 'OK']);
  assert.ok(parse(Buffer.from('-ERR wrong\r\n'))[0] instanceof RedisError);
  assert.equal(parse(Buffer.from('$5\r\nhel')), undefined, 'an incomplete reply waits');
});

test('finds Redis in the environment', () => {
  assert.deepEqual(fromEnv({ REDIS_URL: 'redis://db:6380' }), { host: 'db', port: 6380 });
  assert.deepEqual(fromEnv({ REDIS_HOST: 'db' }), { host: 'db', port: 6379 });
  assert.equal(fromEnv({}), null);
});
