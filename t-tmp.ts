import { redactText } from './src/policy/redact.ts';
const tests = [
  'loaded signing key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF\n-----END RSA PRIVATE KEY-----\nexiting',
  'config dump:\ndb:\n  password: |\n    Hunter2-BlockScalar\nexiting',
  'dial tcp admin:Tr0ub4dor-and-3-horses@db.example.com:5432: connect: connection refused',
  'ERROR 12:30:01 user@example.com logged in; time 10:20@host',
];
for (const t of tests) console.log(JSON.stringify(redactText(t)));
