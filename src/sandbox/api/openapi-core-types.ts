import { kind, type TypeDescription } from './openapi-types.ts';

/** Core (v1) and meta types, in openapi-types.ts's compact form. */
export const CORE_TYPES: Record<string, TypeDescription> = {
  'meta.v1.ObjectMeta': {
    description: 'Metadata that all persisted resources must have.',
    fields: {
      name: 'string Name, unique within a namespace; cannot be updated.',
      generateName: 'string Prefix for a generated name, used when name is empty.',
      namespace: 'string The namespace the object is in; empty for cluster-scoped objects.',
      uid: 'string Unique identifier set by the server for this object.',
      resourceVersion: 'string Version of the object, for optimistic concurrency and watches.',
      generation: 'integer Sequence number of a specific generation of the desired state.',
      creationTimestamp: 'Time When the server created the object.',
      deletionTimestamp: 'Time When the object will be deleted; set by the server on delete.',
      labels: 'map Key-value pairs used to organise and select objects.',
      annotations: 'map Arbitrary non-identifying metadata for tools and libraries.',
      ownerReferences: '[]meta.v1.OwnerReference Objects this object depends on.',
      finalizers: '[]string Conditions that must be met before the object is removed.',
      managedFields: '[]meta.v1.ManagedFieldsEntry Which manager owns which fields.',
    },
  },
  'meta.v1.OwnerReference': {
    description: 'Enough information to identify an owning object in the same namespace.',
    fields: {
      apiVersion: '!string API version of the owner.',
      kind: '!string Kind of the owner.',
      name: '!string Name of the owner.',
      uid: '!string UID of the owner.',
      controller: 'boolean True when the owner is the managing controller.',
      blockOwnerDeletion: 'boolean Whether the owner waits for this dependent on deletion.',
    },
  },
  'meta.v1.ManagedFieldsEntry': {
    description: 'A workflow-id, a field set and the operation that set them.',
    fields: {
      manager: 'string The workflow managing these fields.',
      operation: 'string Apply or Update.',
      apiVersion: 'string The API version the fields were set in.',
      time: 'Time When the last entry was set.',
      fieldsType: 'string The format of fieldsV1: only FieldsV1.',
      fieldsV1: 'object The set of fields, as a tree.',
      subresource: 'string The subresource written, if any.',
    },
  },
  'meta.v1.LabelSelector': {
    description: 'A label query over a set of resources; requirements are ANDed.',
    fields: {
      matchLabels: 'map Labels that must all be present with these values.',
      matchExpressions: '[]meta.v1.LabelSelectorRequirement Set-based requirements.',
    },
  },
  'meta.v1.LabelSelectorRequirement': {
    description: 'A selector requirement: a key, an operator and values.',
    fields: {
      key: '!string The label key.',
      operator: '!string In, NotIn, Exists or DoesNotExist.',
      values: '[]string Values for In and NotIn; empty for Exists and DoesNotExist.',
    },
  },
  'core.v1.Namespace': kind('Namespace provides a scope for names.', {
    spec: 'NamespaceSpec The behaviour of the namespace.',
    status: 'NamespaceStatus The current status of the namespace.',
  }),
  'core.v1.NamespaceSpec': {
    description: 'The attributes of a namespace.',
    fields: { finalizers: '[]string Finalizers that must run before the namespace is removed.' },
  },
  'core.v1.NamespaceStatus': {
    description: 'The current status of a namespace.',
    fields: { phase: 'string Active or Terminating.' },
  },
  'core.v1.Node': kind('Node is a worker in Kubernetes.', {
    spec: 'NodeSpec The behaviour of the node.',
    status: 'NodeStatus The most recently observed status of the node.',
  }),
  'core.v1.NodeSpec': {
    description: 'The attributes a node is created with.',
    fields: {
      podCIDR: 'string The pod IP range assigned to the node.',
      providerID: 'string The ID of the node in the cloud provider.',
      unschedulable: 'boolean Whether new pods may not be scheduled on the node.',
      taints: '[]Taint Taints that repel pods without a matching toleration.',
    },
  },
  'core.v1.Taint': {
    description: 'A taint repels pods that do not tolerate it.',
    fields: {
      key: '!string The taint key.',
      value: 'string The taint value.',
      effect: '!string NoSchedule, PreferNoSchedule or NoExecute.',
    },
  },
  'core.v1.NodeStatus': {
    description: 'The most recently observed status of a node.',
    fields: {
      capacity: 'map:Quantity The total resources of the node.',
      allocatable: 'map:Quantity The resources available for scheduling.',
      conditions: '[]Condition The current service state of the node.',
    },
  },
  'core.v1.Condition': {
    description: 'One aspect of the current state of an object.',
    fields: {
      type: '!string The type of condition.',
      status: '!string True, False or Unknown.',
      reason: 'string A one-word CamelCase reason for the last transition.',
      message: 'string A human-readable message about the last transition.',
      lastTransitionTime: 'Time When the condition last changed status.',
    },
  },
  'core.v1.Pod': kind('Pod is a collection of containers that can run on a host.', {
    spec: 'PodSpec The desired behaviour of the pod.',
    status: 'PodStatus The most recently observed status of the pod.',
  }),
  'core.v1.PodTemplateSpec': {
    description: 'The data a pod should have when created from a template.',
    fields: {
      metadata: "meta.v1.ObjectMeta Standard object's metadata.",
      spec: 'PodSpec The desired behaviour of the pod.',
    },
  },
  'core.v1.PodSpec': {
    description: 'A description of a pod.',
    fields: {
      containers: '![]Container The containers of the pod; at least one.',
      initContainers: '[]Container Containers run in order before the app containers.',
      volumes: '[]Volume Volumes the containers may mount.',
      restartPolicy: 'string Always, OnFailure or Never. Defaults to Always.',
      terminationGracePeriodSeconds: 'integer Seconds the pod has to stop gracefully.',
      activeDeadlineSeconds: 'integer Seconds the pod may run before it is failed.',
      dnsPolicy: 'string How DNS is set up for the pod. Defaults to ClusterFirst.',
      nodeSelector: 'map Labels a node must have for the pod to run there.',
      serviceAccountName: 'string The service account the pod runs as.',
      nodeName: 'string The node the pod is bound to.',
      hostNetwork: "boolean Whether the pod uses the host's network namespace.",
      securityContext: 'object Pod-level security attributes.',
      imagePullSecrets: '[]LocalObjectReference Secrets for pulling the images.',
      affinity: 'object Scheduling constraints.',
      schedulerName: 'string The scheduler that places the pod.',
      tolerations: '[]Toleration Taints the pod tolerates.',
      priorityClassName: 'string The priority class of the pod.',
    },
  },
  'core.v1.LocalObjectReference': {
    description: 'A reference to an object in the same namespace.',
    fields: { name: 'string Name of the referent.' },
  },
  'core.v1.Toleration': {
    description: 'Lets a pod be scheduled on a node with a matching taint.',
    fields: {
      key: 'string The taint key the toleration applies to.',
      operator: 'string Exists or Equal. Defaults to Equal.',
      value: 'string The taint value to match.',
      effect: 'string The taint effect to match; empty matches all.',
      tolerationSeconds: 'integer How long a NoExecute taint is tolerated.',
    },
  },
  'core.v1.Container': {
    description: 'A single application container to run within a pod.',
    fields: {
      name: '!string Name of the container, unique in the pod.',
      image: 'string Container image name.',
      command: "[]string Entrypoint array; replaces the image's ENTRYPOINT.",
      args: "[]string Arguments to the entrypoint; replace the image's CMD.",
      workingDir: 'string Working directory of the container.',
      ports: '[]ContainerPort Ports to expose from the container.',
      env: '[]EnvVar Environment variables to set in the container.',
      envFrom: '[]object Sources to populate environment variables from.',
      resources: 'ResourceRequirements Compute resources the container needs.',
      volumeMounts: '[]VolumeMount Volumes to mount into the filesystem.',
      livenessProbe: 'Probe When it fails, the container is restarted.',
      readinessProbe: 'Probe When it fails, the pod is removed from service endpoints.',
      startupProbe: 'Probe Other probes wait until it succeeds.',
      imagePullPolicy: 'string Always, Never or IfNotPresent.',
      securityContext: 'object Security options the container runs with.',
      terminationMessagePath: 'string File the termination message is read from.',
      terminationMessagePolicy: 'string File or FallbackToLogsOnError.',
    },
  },
  'core.v1.ContainerPort': {
    description: 'A network port in a single container.',
    fields: {
      containerPort: "!integer Port number on the pod's IP address.",
      name: 'string An IANA_SVC_NAME that services can refer to.',
      protocol: 'string UDP, TCP or SCTP. Defaults to TCP.',
      hostPort: 'integer Port number on the host.',
    },
  },
  'core.v1.EnvVar': {
    description: 'An environment variable in a container.',
    fields: {
      name: '!string Name of the variable.',
      value: 'string Value of the variable; $(VAR) references are expanded.',
      valueFrom: 'object Source for the value when value is empty.',
    },
  },
  'core.v1.ResourceRequirements': {
    description: 'Compute resource requirements.',
    fields: {
      limits: 'map:Quantity The maximum amount of compute resources allowed.',
      requests: 'map:Quantity The minimum amount of compute resources required.',
    },
  },
  'core.v1.VolumeMount': {
    description: 'A mounting of a volume within a container.',
    fields: {
      name: '!string The name of a volume of the pod.',
      mountPath: '!string Path in the container to mount the volume at.',
      readOnly: 'boolean Mounted read-only when true.',
      subPath: 'string Path within the volume to mount instead of its root.',
    },
  },
  'core.v1.Volume': {
    description: 'A named volume in a pod that its containers may mount.',
    fields: {
      name: '!string Name of the volume, unique in the pod.',
      emptyDir: 'object A temporary directory that shares the pod lifetime.',
      configMap: 'object A config map to populate the volume.',
      secret: 'object A secret to populate the volume.',
      persistentVolumeClaim: 'object A persistent volume claim in the same namespace.',
      hostPath: 'object A file or directory on the host.',
      projected: 'object Several sources projected into one directory.',
    },
  },
  'core.v1.Probe': {
    description: 'A health check performed against a container.',
    fields: {
      httpGet: 'object An HTTP GET request to perform.',
      tcpSocket: 'object A TCP port to connect to.',
      exec: 'object A command to run in the container.',
      initialDelaySeconds: 'integer Seconds after start before the first probe.',
      periodSeconds: 'integer How often to probe, in seconds. Defaults to 10.',
      timeoutSeconds: 'integer Seconds after which a probe times out. Defaults to 1.',
      successThreshold: 'integer Successes in a row to count as healthy. Defaults to 1.',
      failureThreshold: 'integer Failures in a row to count as unhealthy. Defaults to 3.',
    },
  },
  'core.v1.PodStatus': {
    description: 'Information about the status of a pod.',
    fields: {
      phase: 'string Pending, Running, Succeeded, Failed or Unknown.',
      conditions: '[]Condition The current service state of the pod.',
      podIP: 'string The IP address of the pod.',
      hostIP: 'string The IP address of the node the pod runs on.',
      startTime: 'Time When the kubelet acknowledged the pod.',
      containerStatuses: '[]object The status of each container.',
      reason: 'string A brief CamelCase reason for the pod being in this state.',
      message: 'string A human-readable message about the pod being in this state.',
    },
  },
  'core.v1.Event': kind('Event is a report of an event somewhere in the cluster.', {
    involvedObject: '!object The object this event is about.',
    reason: 'string A short, machine-understandable reason for the event.',
    message: 'string A human-readable description of the event.',
    type: 'string Normal or Warning.',
    count: 'integer How many times the event has occurred.',
    firstTimestamp: 'Time When the event was first recorded.',
    lastTimestamp: 'Time When the event last occurred.',
    source: 'object The component reporting the event.',
  }),
  'core.v1.Service': kind('Service is a named abstraction of a software service.', {
    spec: 'ServiceSpec The behaviour of the service.',
    status: 'object The most recently observed status of the service.',
  }),
  'core.v1.ServiceSpec': {
    description: 'The attributes a user creates on a service.',
    fields: {
      ports: '[]ServicePort The ports the service exposes.',
      selector: 'map Pods with these labels receive the traffic.',
      type: 'string ClusterIP, NodePort, LoadBalancer or ExternalName.',
      clusterIP: 'string The IP address of the service.',
      clusterIPs: '[]string The IP addresses of the service.',
      sessionAffinity: 'string ClientIP or None. Defaults to None.',
      externalName: 'string The DNS name an ExternalName service points to.',
    },
  },
  'core.v1.ServicePort': {
    description: 'A port the service exposes.',
    fields: {
      name: 'string The name of the port within the service.',
      protocol: 'string TCP, UDP or SCTP. Defaults to TCP.',
      port: '!integer The port the service exposes.',
      targetPort: 'IntOrString The port, or its name, on the pods.',
      nodePort: 'integer The port on each node for NodePort and LoadBalancer services.',
    },
  },
  'core.v1.ConfigMap': kind('ConfigMap holds configuration data for pods to consume.', {
    data: 'map The configuration data, as UTF-8 strings.',
    binaryData: 'map Binary configuration data, base64-encoded.',
    immutable: 'boolean When true, the data cannot be updated.',
  }),
  'core.v1.Secret': kind('Secret holds secret data of a certain type.', {
    data: 'map The secret data, base64-encoded.',
    stringData: 'map Write-only secret data as plain strings, merged into data.',
    type: 'string Used to handle the secret data programmatically. Defaults to Opaque.',
    immutable: 'boolean When true, the data cannot be updated.',
  }),
  'core.v1.ServiceAccount': kind('ServiceAccount binds a name, a principal and secrets.', {
    secrets: '[]object Secrets pods running as this account may use.',
    imagePullSecrets: '[]LocalObjectReference Secrets for pulling images.',
    automountServiceAccountToken: 'boolean Whether pods mount a token automatically.',
  }),
};
