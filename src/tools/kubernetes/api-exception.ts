// The client's error class alone, from its own module: the one the package's index re-exports
// (the same class, so `instanceof` holds), without loading the whole client (its ~900 generated
// models, ~60 MiB resident). Errors are worded in modules the bot loads too (the workflows'
// action catalogue, the status command), and the bot never calls a cluster.
export { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
