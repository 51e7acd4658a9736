/**
 * Field numbers of the Kubernetes protobuf messages the sandbox decodes, as facts read from the
 * Go types of k8s.io/api and k8s.io/apimachinery v0.32 (their `protobuf:` struct tags). One
 * entry per message; each field is `jsonName=number[:type]`:
 *
 * - the type is `string` when left out; a message type names another entry (`core.PodSpec`);
 *   `Time`, `Duration`, `Quantity`, `IntOrString` and `Raw` (embedded JSON) are the well-known
 *   apimachinery messages; `[]` marks a repeated field and `map:` a map from strings;
 * - `*` marks a pointer in Go: its zero value was set on purpose and is kept, where other zero
 *   scalars are what the encoder writes for an unset field and are dropped, as JSON would omit them;
 * - `^` marks an inline message (Volume's VolumeSource) whose fields join the parent's in JSON.
 *
 * Status messages are left out: kubectl's typed commands never send a status.
 */
export const MESSAGES: Readonly<Record<string, string>> = {
  'apps.DaemonSet': 'metadata=1:meta.ObjectMeta spec=2:apps.DaemonSetSpec',
  'apps.DaemonSetSpec':
    'selector=1:meta.LabelSelector template=2:core.PodTemplateSpec updateStrategy=3:apps.DaemonSetUpdateStrategy minReadySeconds=4:int32 *revisionHistoryLimit=6:int32',
  'apps.DaemonSetUpdateStrategy': 'type=1 rollingUpdate=2:apps.RollingUpdateDaemonSet',
  'apps.Deployment': 'metadata=1:meta.ObjectMeta spec=2:apps.DeploymentSpec',
  'apps.DeploymentSpec':
    '*replicas=1:int32 selector=2:meta.LabelSelector template=3:core.PodTemplateSpec strategy=4:apps.DeploymentStrategy minReadySeconds=5:int32 *revisionHistoryLimit=6:int32 paused=7:bool *progressDeadlineSeconds=9:int32',
  'apps.DeploymentStrategy': 'type=1 rollingUpdate=2:apps.RollingUpdateDeployment',
  'apps.ReplicaSet': 'metadata=1:meta.ObjectMeta spec=2:apps.ReplicaSetSpec',
  'apps.ReplicaSetSpec':
    '*replicas=1:int32 minReadySeconds=4:int32 selector=2:meta.LabelSelector template=3:core.PodTemplateSpec',
  'apps.RollingUpdateDaemonSet': '*maxUnavailable=1:IntOrString *maxSurge=2:IntOrString',
  'apps.RollingUpdateDeployment': '*maxUnavailable=1:IntOrString *maxSurge=2:IntOrString',
  'apps.RollingUpdateStatefulSetStrategy': '*partition=1:int32 *maxUnavailable=2:IntOrString',
  'apps.StatefulSet': 'metadata=1:meta.ObjectMeta spec=2:apps.StatefulSetSpec',
  'apps.StatefulSetOrdinals': 'start=1:int32',
  'apps.StatefulSetPersistentVolumeClaimRetentionPolicy': 'whenDeleted=1 whenScaled=2',
  'apps.StatefulSetSpec':
    '*replicas=1:int32 selector=2:meta.LabelSelector template=3:core.PodTemplateSpec volumeClaimTemplates=4:core.PersistentVolumeClaim[] serviceName=5 podManagementPolicy=6 updateStrategy=7:apps.StatefulSetUpdateStrategy *revisionHistoryLimit=8:int32 minReadySeconds=9:int32 persistentVolumeClaimRetentionPolicy=10:apps.StatefulSetPersistentVolumeClaimRetentionPolicy ordinals=11:apps.StatefulSetOrdinals',
  'apps.StatefulSetUpdateStrategy': 'type=1 rollingUpdate=2:apps.RollingUpdateStatefulSetStrategy',
  'authentication.BoundObjectReference': 'kind=1 apiVersion=2 name=3 uid=4',
  'authentication.SelfSubjectReview': 'metadata=1:meta.ObjectMeta',
  'authentication.TokenRequest':
    'metadata=1:meta.ObjectMeta spec=2:authentication.TokenRequestSpec',
  'authentication.TokenRequestSpec':
    'audiences=1:string[] *expirationSeconds=4:int64 boundObjectRef=3:authentication.BoundObjectReference',
  'authorization.FieldSelectorAttributes':
    'rawSelector=1 requirements=2:meta.FieldSelectorRequirement[]',
  'authorization.LabelSelectorAttributes':
    'rawSelector=1 requirements=2:meta.LabelSelectorRequirement[]',
  'authorization.LocalSubjectAccessReview':
    'metadata=1:meta.ObjectMeta spec=2:authorization.SubjectAccessReviewSpec',
  'authorization.NonResourceAttributes': 'path=1 verb=2',
  'authorization.ResourceAttributes':
    'namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7 fieldSelector=8:authorization.FieldSelectorAttributes labelSelector=9:authorization.LabelSelectorAttributes',
  'authorization.SelfSubjectAccessReview':
    'metadata=1:meta.ObjectMeta spec=2:authorization.SelfSubjectAccessReviewSpec',
  'authorization.SelfSubjectAccessReviewSpec':
    'resourceAttributes=1:authorization.ResourceAttributes nonResourceAttributes=2:authorization.NonResourceAttributes',
  'authorization.SelfSubjectRulesReview':
    'metadata=1:meta.ObjectMeta spec=2:authorization.SelfSubjectRulesReviewSpec',
  'authorization.SelfSubjectRulesReviewSpec': 'namespace=1',
  'authorization.SubjectAccessReview':
    'metadata=1:meta.ObjectMeta spec=2:authorization.SubjectAccessReviewSpec',
  'authorization.SubjectAccessReviewSpec':
    'resourceAttributes=1:authorization.ResourceAttributes nonResourceAttributes=2:authorization.NonResourceAttributes user=3 groups=4:string[] uid=6',
  'autoscalingv1.CrossVersionObjectReference': 'kind=1 name=2 apiVersion=3',
  'autoscalingv1.HorizontalPodAutoscaler':
    'metadata=1:meta.ObjectMeta spec=2:autoscalingv1.HorizontalPodAutoscalerSpec',
  'autoscalingv1.HorizontalPodAutoscalerSpec':
    'scaleTargetRef=1:autoscalingv1.CrossVersionObjectReference *minReplicas=2:int32 maxReplicas=3:int32 *targetCPUUtilizationPercentage=4:int32',
  'autoscalingv1.Scale':
    'metadata=1:meta.ObjectMeta spec=2:autoscalingv1.ScaleSpec status=3:autoscalingv1.ScaleStatus',
  'autoscalingv1.ScaleSpec': 'replicas=1:int32',
  'autoscalingv1.ScaleStatus': 'replicas=1:int32 selector=2',
  'autoscalingv2.ContainerResourceMetricSource':
    'name=1 target=2:autoscalingv2.MetricTarget container=3',
  'autoscalingv2.CrossVersionObjectReference': 'kind=1 name=2 apiVersion=3',
  'autoscalingv2.ExternalMetricSource':
    'metric=1:autoscalingv2.MetricIdentifier target=2:autoscalingv2.MetricTarget',
  'autoscalingv2.HPAScalingPolicy': 'type=1 value=2:int32 periodSeconds=3:int32',
  'autoscalingv2.HPAScalingRules':
    '*stabilizationWindowSeconds=3:int32 *selectPolicy=1 policies=2:autoscalingv2.HPAScalingPolicy[]',
  'autoscalingv2.HorizontalPodAutoscaler':
    'metadata=1:meta.ObjectMeta spec=2:autoscalingv2.HorizontalPodAutoscalerSpec',
  'autoscalingv2.HorizontalPodAutoscalerBehavior':
    'scaleUp=1:autoscalingv2.HPAScalingRules scaleDown=2:autoscalingv2.HPAScalingRules',
  'autoscalingv2.HorizontalPodAutoscalerSpec':
    'scaleTargetRef=1:autoscalingv2.CrossVersionObjectReference *minReplicas=2:int32 maxReplicas=3:int32 metrics=4:autoscalingv2.MetricSpec[] behavior=5:autoscalingv2.HorizontalPodAutoscalerBehavior',
  'autoscalingv2.MetricIdentifier': 'name=1 selector=2:meta.LabelSelector',
  'autoscalingv2.MetricSpec':
    'type=1 object=2:autoscalingv2.ObjectMetricSource pods=3:autoscalingv2.PodsMetricSource resource=4:autoscalingv2.ResourceMetricSource containerResource=7:autoscalingv2.ContainerResourceMetricSource external=5:autoscalingv2.ExternalMetricSource',
  'autoscalingv2.MetricTarget':
    'type=1 *value=2:Quantity *averageValue=3:Quantity *averageUtilization=4:int32',
  'autoscalingv2.ObjectMetricSource':
    'describedObject=1:autoscalingv2.CrossVersionObjectReference target=2:autoscalingv2.MetricTarget metric=3:autoscalingv2.MetricIdentifier',
  'autoscalingv2.PodsMetricSource':
    'metric=1:autoscalingv2.MetricIdentifier target=2:autoscalingv2.MetricTarget',
  'autoscalingv2.ResourceMetricSource': 'name=1 target=2:autoscalingv2.MetricTarget',
  'batch.CronJob': 'metadata=1:meta.ObjectMeta spec=2:batch.CronJobSpec',
  'batch.CronJobSpec':
    'schedule=1 *timeZone=8 *startingDeadlineSeconds=2:int64 concurrencyPolicy=3 *suspend=4:bool jobTemplate=5:batch.JobTemplateSpec *successfulJobsHistoryLimit=6:int32 *failedJobsHistoryLimit=7:int32',
  'batch.Job': 'metadata=1:meta.ObjectMeta spec=2:batch.JobSpec',
  'batch.JobSpec':
    '*parallelism=1:int32 *completions=2:int32 *activeDeadlineSeconds=3:int64 podFailurePolicy=11:batch.PodFailurePolicy successPolicy=16:batch.SuccessPolicy *backoffLimit=7:int32 *backoffLimitPerIndex=12:int32 *maxFailedIndexes=13:int32 selector=4:meta.LabelSelector *manualSelector=5:bool template=6:core.PodTemplateSpec *ttlSecondsAfterFinished=8:int32 *completionMode=9 *suspend=10:bool *podReplacementPolicy=14 *managedBy=15',
  'batch.JobTemplateSpec': 'metadata=1:meta.ObjectMeta spec=2:batch.JobSpec',
  'batch.PodFailurePolicy': 'rules=1:batch.PodFailurePolicyRule[]',
  'batch.PodFailurePolicyOnExitCodesRequirement': '*containerName=1 operator=2 values=3:int32[]',
  'batch.PodFailurePolicyOnPodConditionsPattern': 'type=1 status=2',
  'batch.PodFailurePolicyRule':
    'action=1 onExitCodes=2:batch.PodFailurePolicyOnExitCodesRequirement onPodConditions=3:batch.PodFailurePolicyOnPodConditionsPattern[]',
  'batch.SuccessPolicy': 'rules=1:batch.SuccessPolicyRule[]',
  'batch.SuccessPolicyRule': '*succeededIndexes=1 *succeededCount=2:int32',
  'coordination.Lease': 'metadata=1:meta.ObjectMeta spec=2:coordination.LeaseSpec',
  'coordination.LeaseSpec':
    '*holderIdentity=1 *leaseDurationSeconds=2:int32 acquireTime=3:Time renewTime=4:Time *leaseTransitions=5:int32 *strategy=6 *preferredHolder=7',
  'core.AWSElasticBlockStoreVolumeSource': 'volumeID=1 fsType=2 partition=3:int32 readOnly=4:bool',
  'core.Affinity':
    'nodeAffinity=1:core.NodeAffinity podAffinity=2:core.PodAffinity podAntiAffinity=3:core.PodAntiAffinity',
  'core.AppArmorProfile': 'type=1 *localhostProfile=2',
  'core.AzureDiskVolumeSource':
    'diskName=1 diskURI=2 *cachingMode=3 *fsType=4 *readOnly=5:bool *kind=6',
  'core.AzureFileVolumeSource': 'secretName=1 shareName=2 readOnly=3:bool',
  'core.CSIVolumeSource':
    'driver=1 *readOnly=2:bool *fsType=3 volumeAttributes=4:map:string nodePublishSecretRef=5:core.LocalObjectReference',
  'core.Capabilities': 'add=1:string[] drop=2:string[]',
  'core.CephFSVolumeSource':
    'monitors=1:string[] path=2 user=3 secretFile=4 secretRef=5:core.LocalObjectReference readOnly=6:bool',
  'core.CinderVolumeSource':
    'volumeID=1 fsType=2 readOnly=3:bool secretRef=4:core.LocalObjectReference',
  'core.ClientIPConfig': '*timeoutSeconds=1:int32',
  'core.ClusterTrustBundleProjection':
    '*name=1 *signerName=2 labelSelector=3:meta.LabelSelector *optional=5:bool path=4',
  'core.ConfigMap':
    'metadata=1:meta.ObjectMeta *immutable=4:bool data=2:map:string binaryData=3:map:bytes',
  'core.ConfigMapEnvSource': '^=1:core.LocalObjectReference *optional=2:bool',
  'core.ConfigMapKeySelector': '^=1:core.LocalObjectReference key=2 *optional=3:bool',
  'core.ConfigMapNodeConfigSource': 'namespace=1 name=2 uid=3 resourceVersion=4 kubeletConfigKey=5',
  'core.ConfigMapProjection':
    '^=1:core.LocalObjectReference items=2:core.KeyToPath[] *optional=4:bool',
  'core.ConfigMapVolumeSource':
    '^=1:core.LocalObjectReference items=2:core.KeyToPath[] *defaultMode=3:int32 *optional=4:bool',
  'core.Container':
    'name=1 image=2 command=3:string[] args=4:string[] workingDir=5 ports=6:core.ContainerPort[] envFrom=19:core.EnvFromSource[] env=7:core.EnvVar[] resources=8:core.ResourceRequirements resizePolicy=23:core.ContainerResizePolicy[] *restartPolicy=24 volumeMounts=9:core.VolumeMount[] volumeDevices=21:core.VolumeDevice[] livenessProbe=10:core.Probe readinessProbe=11:core.Probe startupProbe=22:core.Probe lifecycle=12:core.Lifecycle terminationMessagePath=13 terminationMessagePolicy=20 imagePullPolicy=14 securityContext=15:core.SecurityContext stdin=16:bool stdinOnce=17:bool tty=18:bool',
  'core.ContainerPort': 'name=1 hostPort=2:int32 containerPort=3:int32 protocol=4 hostIP=5',
  'core.ContainerResizePolicy': 'resourceName=1 restartPolicy=2',
  'core.DownwardAPIProjection': 'items=1:core.DownwardAPIVolumeFile[]',
  'core.DownwardAPIVolumeFile':
    'path=1 fieldRef=2:core.ObjectFieldSelector resourceFieldRef=3:core.ResourceFieldSelector *mode=4:int32',
  'core.DownwardAPIVolumeSource': 'items=1:core.DownwardAPIVolumeFile[] *defaultMode=2:int32',
  'core.EmptyDirVolumeSource': 'medium=1 *sizeLimit=2:Quantity',
  'core.EndpointAddress': 'ip=1 hostname=3 *nodeName=4 targetRef=2:core.ObjectReference',
  'core.EndpointPort': 'name=1 port=2:int32 protocol=3 *appProtocol=4',
  'core.EndpointSubset':
    'addresses=1:core.EndpointAddress[] notReadyAddresses=2:core.EndpointAddress[] ports=3:core.EndpointPort[]',
  'core.Endpoints': 'metadata=1:meta.ObjectMeta subsets=2:core.EndpointSubset[]',
  'core.EnvFromSource':
    'prefix=1 configMapRef=2:core.ConfigMapEnvSource secretRef=3:core.SecretEnvSource',
  'core.EnvVar': 'name=1 value=2 valueFrom=3:core.EnvVarSource',
  'core.EnvVarSource':
    'fieldRef=1:core.ObjectFieldSelector resourceFieldRef=2:core.ResourceFieldSelector configMapKeyRef=3:core.ConfigMapKeySelector secretKeyRef=4:core.SecretKeySelector',
  'core.EphemeralContainer': '^=1:core.EphemeralContainerCommon targetContainerName=2',
  'core.EphemeralContainerCommon':
    'name=1 image=2 command=3:string[] args=4:string[] workingDir=5 ports=6:core.ContainerPort[] envFrom=19:core.EnvFromSource[] env=7:core.EnvVar[] resources=8:core.ResourceRequirements resizePolicy=23:core.ContainerResizePolicy[] *restartPolicy=24 volumeMounts=9:core.VolumeMount[] volumeDevices=21:core.VolumeDevice[] livenessProbe=10:core.Probe readinessProbe=11:core.Probe startupProbe=22:core.Probe lifecycle=12:core.Lifecycle terminationMessagePath=13 terminationMessagePolicy=20 imagePullPolicy=14 securityContext=15:core.SecurityContext stdin=16:bool stdinOnce=17:bool tty=18:bool',
  'core.EphemeralVolumeSource': 'volumeClaimTemplate=1:core.PersistentVolumeClaimTemplate',
  'core.Event':
    'metadata=1:meta.ObjectMeta involvedObject=2:core.ObjectReference reason=3 message=4 source=5:core.EventSource firstTimestamp=6:Time lastTimestamp=7:Time count=8:int32 type=9 eventTime=10:Time series=11:core.EventSeries action=12 related=13:core.ObjectReference reportingComponent=14 reportingInstance=15',
  'core.EventSeries': 'count=1:int32 lastObservedTime=2:Time',
  'core.EventSource': 'component=1 host=2',
  'core.ExecAction': 'command=1:string[]',
  'core.FCVolumeSource':
    'targetWWNs=1:string[] *lun=2:int32 fsType=3 readOnly=4:bool wwids=5:string[]',
  'core.FlexVolumeSource':
    'driver=1 fsType=2 secretRef=3:core.LocalObjectReference readOnly=4:bool options=5:map:string',
  'core.FlockerVolumeSource': 'datasetName=1 datasetUUID=2',
  'core.GCEPersistentDiskVolumeSource': 'pdName=1 fsType=2 partition=3:int32 readOnly=4:bool',
  'core.GRPCAction': 'port=1:int32 *service=2',
  'core.GitRepoVolumeSource': 'repository=1 revision=2 directory=3',
  'core.GlusterfsVolumeSource': 'endpoints=1 path=2 readOnly=3:bool',
  'core.HTTPGetAction': 'path=1 port=2:IntOrString host=3 scheme=4 httpHeaders=5:core.HTTPHeader[]',
  'core.HTTPHeader': 'name=1 value=2',
  'core.HostAlias': 'ip=1 hostnames=2:string[]',
  'core.HostPathVolumeSource': 'path=1 *type=2',
  'core.ISCSIVolumeSource':
    'targetPortal=1 iqn=2 lun=3:int32 iscsiInterface=4 fsType=5 readOnly=6:bool portals=7:string[] chapAuthDiscovery=8:bool chapAuthSession=11:bool secretRef=10:core.LocalObjectReference *initiatorName=12',
  'core.ImageVolumeSource': 'reference=1 pullPolicy=2',
  'core.KeyToPath': 'key=1 path=2 *mode=3:int32',
  'core.Lifecycle': 'postStart=1:core.LifecycleHandler preStop=2:core.LifecycleHandler',
  'core.LifecycleHandler':
    'exec=1:core.ExecAction httpGet=2:core.HTTPGetAction tcpSocket=3:core.TCPSocketAction sleep=4:core.SleepAction',
  'core.LimitRange': 'metadata=1:meta.ObjectMeta spec=2:core.LimitRangeSpec',
  'core.LimitRangeItem':
    'type=1 max=2:map:Quantity min=3:map:Quantity default=4:map:Quantity defaultRequest=5:map:Quantity maxLimitRequestRatio=6:map:Quantity',
  'core.LimitRangeSpec': 'limits=1:core.LimitRangeItem[]',
  'core.LocalObjectReference': 'name=1',
  'core.NFSVolumeSource': 'server=1 path=2 readOnly=3:bool',
  'core.Namespace': 'metadata=1:meta.ObjectMeta spec=2:core.NamespaceSpec',
  'core.NamespaceSpec': 'finalizers=1:string[]',
  'core.Node': 'metadata=1:meta.ObjectMeta spec=2:core.NodeSpec',
  'core.NodeAffinity':
    'requiredDuringSchedulingIgnoredDuringExecution=1:core.NodeSelector preferredDuringSchedulingIgnoredDuringExecution=2:core.PreferredSchedulingTerm[]',
  'core.NodeConfigSource': 'configMap=2:core.ConfigMapNodeConfigSource',
  'core.NodeSelector': 'nodeSelectorTerms=1:core.NodeSelectorTerm[]',
  'core.NodeSelectorRequirement': 'key=1 operator=2 values=3:string[]',
  'core.NodeSelectorTerm':
    'matchExpressions=1:core.NodeSelectorRequirement[] matchFields=2:core.NodeSelectorRequirement[]',
  'core.NodeSpec':
    'podCIDR=1 podCIDRs=7:string[] providerID=3 unschedulable=4:bool taints=5:core.Taint[] configSource=6:core.NodeConfigSource externalID=2',
  'core.ObjectFieldSelector': 'apiVersion=1 fieldPath=2',
  'core.ObjectReference':
    'kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7',
  'core.PersistentVolumeClaim': 'metadata=1:meta.ObjectMeta spec=2:core.PersistentVolumeClaimSpec',
  'core.PersistentVolumeClaimSpec':
    'accessModes=1:string[] selector=4:meta.LabelSelector resources=2:core.VolumeResourceRequirements volumeName=3 *storageClassName=5 *volumeMode=6 dataSource=7:core.TypedLocalObjectReference dataSourceRef=8:core.TypedObjectReference *volumeAttributesClassName=9',
  'core.PersistentVolumeClaimTemplate':
    'metadata=1:meta.ObjectMeta spec=2:core.PersistentVolumeClaimSpec',
  'core.PersistentVolumeClaimVolumeSource': 'claimName=1 readOnly=2:bool',
  'core.PhotonPersistentDiskVolumeSource': 'pdID=1 fsType=2',
  'core.Pod': 'metadata=1:meta.ObjectMeta spec=2:core.PodSpec',
  'core.PodAffinity':
    'requiredDuringSchedulingIgnoredDuringExecution=1:core.PodAffinityTerm[] preferredDuringSchedulingIgnoredDuringExecution=2:core.WeightedPodAffinityTerm[]',
  'core.PodAffinityTerm':
    'labelSelector=1:meta.LabelSelector namespaces=2:string[] topologyKey=3 namespaceSelector=4:meta.LabelSelector matchLabelKeys=5:string[] mismatchLabelKeys=6:string[]',
  'core.PodAntiAffinity':
    'requiredDuringSchedulingIgnoredDuringExecution=1:core.PodAffinityTerm[] preferredDuringSchedulingIgnoredDuringExecution=2:core.WeightedPodAffinityTerm[]',
  'core.PodDNSConfig':
    'nameservers=1:string[] searches=2:string[] options=3:core.PodDNSConfigOption[]',
  'core.PodDNSConfigOption': 'name=1 *value=2',
  'core.PodOS': 'name=1',
  'core.PodReadinessGate': 'conditionType=1',
  'core.PodResourceClaim': 'name=1 *resourceClaimName=3 *resourceClaimTemplateName=4',
  'core.PodSchedulingGate': 'name=1',
  'core.PodSecurityContext':
    'seLinuxOptions=1:core.SELinuxOptions windowsOptions=8:core.WindowsSecurityContextOptions *runAsUser=2:int64 *runAsGroup=6:int64 *runAsNonRoot=3:bool supplementalGroups=4:int64[] *supplementalGroupsPolicy=12 *fsGroup=5:int64 sysctls=7:core.Sysctl[] *fsGroupChangePolicy=9 seccompProfile=10:core.SeccompProfile appArmorProfile=11:core.AppArmorProfile *seLinuxChangePolicy=13',
  'core.PodSpec':
    'volumes=1:core.Volume[] initContainers=20:core.Container[] containers=2:core.Container[] ephemeralContainers=34:core.EphemeralContainer[] restartPolicy=3 *terminationGracePeriodSeconds=4:int64 *activeDeadlineSeconds=5:int64 dnsPolicy=6 nodeSelector=7:map:string serviceAccountName=8 serviceAccount=9 *automountServiceAccountToken=21:bool nodeName=10 hostNetwork=11:bool hostPID=12:bool hostIPC=13:bool *shareProcessNamespace=27:bool securityContext=14:core.PodSecurityContext imagePullSecrets=15:core.LocalObjectReference[] hostname=16 subdomain=17 affinity=18:core.Affinity schedulerName=19 tolerations=22:core.Toleration[] hostAliases=23:core.HostAlias[] priorityClassName=24 *priority=25:int32 dnsConfig=26:core.PodDNSConfig readinessGates=28:core.PodReadinessGate[] *runtimeClassName=29 *enableServiceLinks=30:bool *preemptionPolicy=31 overhead=32:map:Quantity topologySpreadConstraints=33:core.TopologySpreadConstraint[] *setHostnameAsFQDN=35:bool os=36:core.PodOS *hostUsers=37:bool schedulingGates=38:core.PodSchedulingGate[] resourceClaims=39:core.PodResourceClaim[] resources=40:core.ResourceRequirements',
  'core.PodTemplateSpec': 'metadata=1:meta.ObjectMeta spec=2:core.PodSpec',
  'core.PortworxVolumeSource': 'volumeID=1 fsType=2 readOnly=3:bool',
  'core.PreferredSchedulingTerm': 'weight=1:int32 preference=2:core.NodeSelectorTerm',
  'core.Probe':
    '^=1:core.ProbeHandler initialDelaySeconds=2:int32 timeoutSeconds=3:int32 periodSeconds=4:int32 successThreshold=5:int32 failureThreshold=6:int32 *terminationGracePeriodSeconds=7:int64',
  'core.ProbeHandler':
    'exec=1:core.ExecAction httpGet=2:core.HTTPGetAction tcpSocket=3:core.TCPSocketAction grpc=4:core.GRPCAction',
  'core.ProjectedVolumeSource': 'sources=1:core.VolumeProjection[] *defaultMode=2:int32',
  'core.QuobyteVolumeSource': 'registry=1 volume=2 readOnly=3:bool user=4 group=5 tenant=6',
  'core.RBDVolumeSource':
    'monitors=1:string[] image=2 fsType=3 pool=4 user=5 keyring=6 secretRef=7:core.LocalObjectReference readOnly=8:bool',
  'core.ResourceClaim': 'name=1 request=2',
  'core.ResourceFieldSelector': 'containerName=1 resource=2 divisor=3:Quantity',
  'core.ResourceQuota': 'metadata=1:meta.ObjectMeta spec=2:core.ResourceQuotaSpec',
  'core.ResourceQuotaSpec':
    'hard=1:map:Quantity scopes=2:string[] scopeSelector=3:core.ScopeSelector',
  'core.ResourceRequirements':
    'limits=1:map:Quantity requests=2:map:Quantity claims=3:core.ResourceClaim[]',
  'core.SELinuxOptions': 'user=1 role=2 type=3 level=4',
  'core.ScaleIOVolumeSource':
    'gateway=1 system=2 secretRef=3:core.LocalObjectReference sslEnabled=4:bool protectionDomain=5 storagePool=6 storageMode=7 volumeName=8 fsType=9 readOnly=10:bool',
  'core.ScopeSelector': 'matchExpressions=1:core.ScopedResourceSelectorRequirement[]',
  'core.ScopedResourceSelectorRequirement': 'scopeName=1 operator=2 values=3:string[]',
  'core.SeccompProfile': 'type=1 *localhostProfile=2',
  'core.Secret':
    'metadata=1:meta.ObjectMeta *immutable=5:bool data=2:map:bytes stringData=4:map:string type=3',
  'core.SecretEnvSource': '^=1:core.LocalObjectReference *optional=2:bool',
  'core.SecretKeySelector': '^=1:core.LocalObjectReference key=2 *optional=3:bool',
  'core.SecretProjection':
    '^=1:core.LocalObjectReference items=2:core.KeyToPath[] *optional=4:bool',
  'core.SecretVolumeSource':
    'secretName=1 items=2:core.KeyToPath[] *defaultMode=3:int32 *optional=4:bool',
  'core.SecurityContext':
    'capabilities=1:core.Capabilities *privileged=2:bool seLinuxOptions=3:core.SELinuxOptions windowsOptions=10:core.WindowsSecurityContextOptions *runAsUser=4:int64 *runAsGroup=8:int64 *runAsNonRoot=5:bool *readOnlyRootFilesystem=6:bool *allowPrivilegeEscalation=7:bool *procMount=9 seccompProfile=11:core.SeccompProfile appArmorProfile=12:core.AppArmorProfile',
  'core.Service': 'metadata=1:meta.ObjectMeta spec=2:core.ServiceSpec',
  'core.ServiceAccount':
    'metadata=1:meta.ObjectMeta secrets=2:core.ObjectReference[] imagePullSecrets=3:core.LocalObjectReference[] *automountServiceAccountToken=4:bool',
  'core.ServiceAccountTokenProjection': 'audience=1 *expirationSeconds=2:int64 path=3',
  'core.ServicePort':
    'name=1 protocol=2 *appProtocol=6 port=3:int32 targetPort=4:IntOrString nodePort=5:int32',
  'core.ServiceSpec':
    'ports=1:core.ServicePort[] selector=2:map:string clusterIP=3 clusterIPs=18:string[] type=4 externalIPs=5:string[] sessionAffinity=7 loadBalancerIP=8 loadBalancerSourceRanges=9:string[] externalName=10 externalTrafficPolicy=11 healthCheckNodePort=12:int32 publishNotReadyAddresses=13:bool sessionAffinityConfig=14:core.SessionAffinityConfig ipFamilies=19:string[] *ipFamilyPolicy=17 *allocateLoadBalancerNodePorts=20:bool *loadBalancerClass=21 *internalTrafficPolicy=22 *trafficDistribution=23',
  'core.SessionAffinityConfig': 'clientIP=1:core.ClientIPConfig',
  'core.SleepAction': 'seconds=1:int64',
  'core.StorageOSVolumeSource':
    'volumeName=1 volumeNamespace=2 fsType=3 readOnly=4:bool secretRef=5:core.LocalObjectReference',
  'core.Sysctl': 'name=1 value=2',
  'core.TCPSocketAction': 'port=1:IntOrString host=2',
  'core.Taint': 'key=1 value=2 effect=3 timeAdded=4:Time',
  'core.Toleration': 'key=1 operator=2 value=3 effect=4 *tolerationSeconds=5:int64',
  'core.TopologySpreadConstraint':
    'maxSkew=1:int32 topologyKey=2 whenUnsatisfiable=3 labelSelector=4:meta.LabelSelector *minDomains=5:int32 *nodeAffinityPolicy=6 *nodeTaintsPolicy=7 matchLabelKeys=8:string[]',
  'core.TypedLocalObjectReference': '*apiGroup=1 kind=2 name=3',
  'core.TypedObjectReference': '*apiGroup=1 kind=2 name=3 *namespace=4',
  'core.Volume': 'name=1 ^=2:core.VolumeSource',
  'core.VolumeDevice': 'name=1 devicePath=2',
  'core.VolumeMount':
    'name=1 readOnly=2:bool *recursiveReadOnly=7 mountPath=3 subPath=4 *mountPropagation=5 subPathExpr=6',
  'core.VolumeProjection':
    'secret=1:core.SecretProjection downwardAPI=2:core.DownwardAPIProjection configMap=3:core.ConfigMapProjection serviceAccountToken=4:core.ServiceAccountTokenProjection clusterTrustBundle=5:core.ClusterTrustBundleProjection',
  'core.VolumeResourceRequirements': 'limits=1:map:Quantity requests=2:map:Quantity',
  'core.VolumeSource':
    'hostPath=1:core.HostPathVolumeSource emptyDir=2:core.EmptyDirVolumeSource gcePersistentDisk=3:core.GCEPersistentDiskVolumeSource awsElasticBlockStore=4:core.AWSElasticBlockStoreVolumeSource gitRepo=5:core.GitRepoVolumeSource secret=6:core.SecretVolumeSource nfs=7:core.NFSVolumeSource iscsi=8:core.ISCSIVolumeSource glusterfs=9:core.GlusterfsVolumeSource persistentVolumeClaim=10:core.PersistentVolumeClaimVolumeSource rbd=11:core.RBDVolumeSource flexVolume=12:core.FlexVolumeSource cinder=13:core.CinderVolumeSource cephfs=14:core.CephFSVolumeSource flocker=15:core.FlockerVolumeSource downwardAPI=16:core.DownwardAPIVolumeSource fc=17:core.FCVolumeSource azureFile=18:core.AzureFileVolumeSource configMap=19:core.ConfigMapVolumeSource vsphereVolume=20:core.VsphereVirtualDiskVolumeSource quobyte=21:core.QuobyteVolumeSource azureDisk=22:core.AzureDiskVolumeSource photonPersistentDisk=23:core.PhotonPersistentDiskVolumeSource projected=26:core.ProjectedVolumeSource portworxVolume=24:core.PortworxVolumeSource scaleIO=25:core.ScaleIOVolumeSource storageos=27:core.StorageOSVolumeSource csi=28:core.CSIVolumeSource ephemeral=29:core.EphemeralVolumeSource image=30:core.ImageVolumeSource',
  'core.VsphereVirtualDiskVolumeSource':
    'volumePath=1 fsType=2 storagePolicyName=3 storagePolicyID=4',
  'core.WeightedPodAffinityTerm': 'weight=1:int32 podAffinityTerm=2:core.PodAffinityTerm',
  'core.WindowsSecurityContextOptions':
    '*gmsaCredentialSpecName=1 *gmsaCredentialSpec=2 *runAsUserName=3 *hostProcess=4:bool',
  'meta.DeleteOptions':
    '*gracePeriodSeconds=1:int64 preconditions=2:meta.Preconditions *orphanDependents=3:bool *propagationPolicy=4 dryRun=5:string[] *ignoreStoreReadErrorWithClusterBreakingPotential=6:bool',
  'meta.FieldSelectorRequirement': 'key=1 operator=2 values=3:string[]',
  'meta.LabelSelector':
    'matchLabels=1:map:string matchExpressions=2:meta.LabelSelectorRequirement[]',
  'meta.LabelSelectorRequirement': 'key=1 operator=2 values=3:string[]',
  'meta.ManagedFieldsEntry':
    'manager=1 operation=2 apiVersion=3 time=4:Time fieldsType=6 *fieldsV1=7:Raw subresource=8',
  'meta.ObjectMeta':
    'name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7:int64 creationTimestamp=8:Time deletionTimestamp=9:Time *deletionGracePeriodSeconds=10:int64 labels=11:map:string annotations=12:map:string ownerReferences=13:meta.OwnerReference[] finalizers=14:string[] managedFields=17:meta.ManagedFieldsEntry[]',
  'meta.OwnerReference':
    'apiVersion=5 kind=1 name=3 uid=4 *controller=6:bool *blockOwnerDeletion=7:bool',
  'meta.Preconditions': '*uid=1 *resourceVersion=2',
  'networking.HTTPIngressPath': 'path=1 *pathType=3 backend=2:networking.IngressBackend',
  'networking.HTTPIngressRuleValue': 'paths=1:networking.HTTPIngressPath[]',
  'networking.IPBlock': 'cidr=1 except=2:string[]',
  'networking.Ingress': 'metadata=1:meta.ObjectMeta spec=2:networking.IngressSpec',
  'networking.IngressBackend':
    'service=4:networking.IngressServiceBackend resource=3:core.TypedLocalObjectReference',
  'networking.IngressClass': 'metadata=1:meta.ObjectMeta spec=2:networking.IngressClassSpec',
  'networking.IngressClassParametersReference': '*apiGroup=1 kind=2 name=3 *scope=4 *namespace=5',
  'networking.IngressClassSpec':
    'controller=1 parameters=2:networking.IngressClassParametersReference',
  'networking.IngressRule': 'host=1 ^=2:networking.IngressRuleValue',
  'networking.IngressRuleValue': 'http=1:networking.HTTPIngressRuleValue',
  'networking.IngressServiceBackend': 'name=1 port=2:networking.ServiceBackendPort',
  'networking.IngressSpec':
    '*ingressClassName=4 defaultBackend=1:networking.IngressBackend tls=2:networking.IngressTLS[] rules=3:networking.IngressRule[]',
  'networking.IngressTLS': 'hosts=1:string[] secretName=2',
  'networking.NetworkPolicy': 'metadata=1:meta.ObjectMeta spec=2:networking.NetworkPolicySpec',
  'networking.NetworkPolicyEgressRule':
    'ports=1:networking.NetworkPolicyPort[] to=2:networking.NetworkPolicyPeer[]',
  'networking.NetworkPolicyIngressRule':
    'ports=1:networking.NetworkPolicyPort[] from=2:networking.NetworkPolicyPeer[]',
  'networking.NetworkPolicyPeer':
    'podSelector=1:meta.LabelSelector namespaceSelector=2:meta.LabelSelector ipBlock=3:networking.IPBlock',
  'networking.NetworkPolicyPort': '*protocol=1 *port=2:IntOrString *endPort=3:int32',
  'networking.NetworkPolicySpec':
    'podSelector=1:meta.LabelSelector ingress=2:networking.NetworkPolicyIngressRule[] egress=3:networking.NetworkPolicyEgressRule[] policyTypes=4:string[]',
  'networking.ServiceBackendPort': 'name=1 number=2:int32',
  'policy.Eviction': 'metadata=1:meta.ObjectMeta deleteOptions=2:meta.DeleteOptions',
  'policy.PodDisruptionBudget': 'metadata=1:meta.ObjectMeta spec=2:policy.PodDisruptionBudgetSpec',
  'policy.PodDisruptionBudgetSpec':
    '*minAvailable=1:IntOrString selector=2:meta.LabelSelector *maxUnavailable=3:IntOrString *unhealthyPodEvictionPolicy=4',
  'rbac.AggregationRule': 'clusterRoleSelectors=1:meta.LabelSelector[]',
  'rbac.ClusterRole':
    'metadata=1:meta.ObjectMeta rules=2:rbac.PolicyRule[] aggregationRule=3:rbac.AggregationRule',
  'rbac.ClusterRoleBinding':
    'metadata=1:meta.ObjectMeta subjects=2:rbac.Subject[] roleRef=3:rbac.RoleRef',
  'rbac.PolicyRule':
    'verbs=1:string[] apiGroups=2:string[] resources=3:string[] resourceNames=4:string[] nonResourceURLs=5:string[]',
  'rbac.Role': 'metadata=1:meta.ObjectMeta rules=2:rbac.PolicyRule[]',
  'rbac.RoleBinding': 'metadata=1:meta.ObjectMeta subjects=2:rbac.Subject[] roleRef=3:rbac.RoleRef',
  'rbac.RoleRef': 'apiGroup=1 kind=2 name=3',
  'rbac.Subject': 'kind=1 apiGroup=2 name=3 namespace=4',
  'scheduling.PriorityClass':
    'metadata=1:meta.ObjectMeta value=2:int32 globalDefault=3:bool description=4 *preemptionPolicy=5',
};
