'use strict';
// A very small Redis client, written with node:net so that the app needs no
// package from the npm registry. It speaks just enough of RESP, the Redis
// protocol: it sends one command and reads one reply per connection.

const net = require('node:net');

class RedisError extends Error {}

// encode turns ['INCR', 'visits'] into a RESP array of bulk strings.
function encode(args) {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const s = String(arg);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

// parse reads one reply at the start of buf. It returns [value, rest], or
// undefined while buf does not yet hold a complete reply.
function parse(buf) {
  const end = buf.indexOf('\r\n');
  if (end < 0) return undefined;
  const type = String.fromCharCode(buf[0]);
  const line = buf.toString('utf8', 1, end);
  const rest = buf.subarray(end + 2);
  switch (type) {
    case '+': // simple string: +OK
      return [line, rest];
    case '-': // error: -ERR unknown command
      return [new RedisError(line), rest];
    case ':': // integer: :42
      return [Number(line), rest];
    case '$': { // bulk string: $5\r\nhello, or $-1 for nil
      const len = Number(line);
      if (len < 0) return [null, rest];
      if (rest.length < len + 2) return undefined;
      return [rest.toString('utf8', 0, len), rest.subarray(len + 2)];
    }
    case '*': { // array: *2 followed by two replies
      const n = Number(line);
      if (n < 0) return [null, rest];
      const items = [];
      let tail = rest;
      for (let i = 0; i < n; i++) {
        const r = parse(tail);
        if (r === undefined) return undefined;
        items.push(r[0]);
        tail = r[1];
      }
      return [items, tail];
    }
    default:
      throw new RedisError(`unexpected reply type ${JSON.stringify(type)}`);
  }
}

// command sends one command and resolves with its reply.
function command({ host, port, timeout = 2000 }, ...args) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port });
    let buf = Buffer.alloc(0);
    socket.setTimeout(timeout, () =>
      socket.destroy(new Error(`no answer from Redis at ${host}:${port}`)));
    socket.on('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let reply;
      try {
        reply = parse(buf);
      } catch (err) {
        socket.destroy();
        reject(err);
        return;
      }
      if (reply === undefined) return; // wait for more bytes
      socket.end();
      if (reply[0] instanceof RedisError) reject(reply[0]);
      else resolve(reply[0]);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('Redis closed the connection')));
  });
}

// fromEnv finds Redis in REDIS_URL (redis://host:port) or in REDIS_HOST
// and REDIS_PORT. It returns null when neither is set: no Redis.
function fromEnv(env) {
  if (env.REDIS_URL) {
    const url = new URL(env.REDIS_URL);
    return { host: url.hostname, port: Number(url.port) || 6379 };
  }
  if (env.REDIS_HOST) {
    return { host: env.REDIS_HOST, port: Number(env.REDIS_PORT) || 6379 };
  }
  return null;
}

module.exports = { command, encode, parse, fromEnv, RedisError };
