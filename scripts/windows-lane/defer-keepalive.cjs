// TEST-ONLY preload for the Windows lane (never shipped; loaded with NODE_OPTIONS=--require).
// Wine 8.0 lacks setsockopt(IPPROTO_TCP, TCP_KEEPALIVE). undici asks for keep-alive right after
// net.connect(), before the socket is connected, and under Wine that turns every connect into
// `connect UNKNOWN`. Real Windows accepts the option, so the lane defers the call until the
// socket is connected, where Wine's failure is harmless, instead of changing the product.
'use strict';
const net = require('node:net');

const original = net.Socket.prototype.setKeepAlive;
net.Socket.prototype.setKeepAlive = function deferredSetKeepAlive(enable, initialDelay) {
  if (this.connecting) {
    this.once('connect', () => original.call(this, enable, initialDelay));
    return this;
  }
  return original.call(this, enable, initialDelay);
};
