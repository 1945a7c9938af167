/** The test Kubernetes API server and its object builders (see server.ts for what is faithful). */
export * from './server.js';
export * from './objects.js';
export { kubeConfigOptions, kubeConfigYaml, type KubeConfigParams } from './kubeconfig.js';
export { RESOURCES, resourceByName, type ResourceDef } from './resources.js';
export { failure, type Status } from './status.js';
