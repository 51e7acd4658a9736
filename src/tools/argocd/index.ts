export { ARGOCD_READ_TOOLS } from './read-tools.ts';
export { ARGOCD_WRITE_TOOLS } from './write-tools.ts';
