// The demo's application: a tiny ledger service (never run; the demo only inventories it).
const http = require('http');
const _ = require('lodash');
const entries = [];
http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ total: _.sumBy(entries, 'amount'), count: entries.length }));
}).listen(process.env.PORT || 8080);
