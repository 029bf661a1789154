"""A small shipped classification of IAM actions for the services Lambda functions commonly use.

Access levels follow the AWS Service Authorization Reference (read, list, write, permissions
management, tagging). The table only has to answer "can this grant change something?" and "could
this action be scoped to a resource ARN?": an action or service missing from it is treated as write
and scopable (see actions.py), so a gap here can only over-report, never hide a permission.

`UNSCOPED` lists actions whose only resource is "*" in IAM (no resource-level permissions); a
Resource "*" on them is not a finding.
"""

from __future__ import annotations

# service -> level -> space-separated action names (CamelCase, as documented)
SPEC: dict[str, dict[str, str]] = {
    "s3": {
        "list": """
            ListAllMyBuckets ListBucket ListBucketVersions ListBucketMultipartUploads
            ListMultipartUploadParts ListAccessPoints ListAccessPointsForObjectLambda ListJobs
            ListStorageLensConfigurations ListMultiRegionAccessPoints ListTagsForResource
        """,
        "read": """
            GetObject GetObjectVersion GetObjectAcl GetObjectVersionAcl GetObjectAttributes
            GetObjectVersionAttributes GetObjectTagging GetObjectVersionTagging GetObjectTorrent
            GetObjectVersionTorrent GetObjectRetention GetObjectLegalHold GetBucketLocation GetBucketPolicy
            GetBucketPolicyStatus GetBucketAcl GetBucketCORS GetBucketVersioning GetBucketWebsite
            GetBucketLogging GetBucketNotification GetBucketTagging GetBucketPublicAccessBlock
            GetBucketOwnershipControls GetBucketObjectLockConfiguration GetBucketRequestPayment
            GetEncryptionConfiguration GetLifecycleConfiguration GetReplicationConfiguration
            GetAccelerateConfiguration GetAnalyticsConfiguration GetInventoryConfiguration
            GetMetricsConfiguration GetIntelligentTieringConfiguration GetAccountPublicAccessBlock
            GetAccessPoint GetAccessPointPolicy GetAccessPointPolicyStatus GetJobTagging DescribeJob
            GetStorageLensConfiguration
        """,
        "write": """
            PutObject DeleteObject DeleteObjectVersion RestoreObject AbortMultipartUpload CreateBucket
            DeleteBucket PutBucketVersioning PutBucketWebsite DeleteBucketWebsite PutBucketLogging
            PutBucketNotification PutBucketCORS PutEncryptionConfiguration PutLifecycleConfiguration
            PutReplicationConfiguration PutAccelerateConfiguration PutAnalyticsConfiguration
            PutInventoryConfiguration PutMetricsConfiguration PutIntelligentTieringConfiguration
            PutBucketObjectLockConfiguration PutBucketRequestPayment PutObjectRetention PutObjectLegalHold
            ReplicateObject ReplicateDelete BypassGovernanceRetention CreateJob UpdateJobPriority
            UpdateJobStatus CreateAccessPoint DeleteAccessPoint PutStorageLensConfiguration
            DeleteStorageLensConfiguration
        """,
        "permissions": """
            PutBucketPolicy DeleteBucketPolicy PutBucketAcl PutObjectAcl PutObjectVersionAcl
            PutBucketPublicAccessBlock PutAccountPublicAccessBlock PutBucketOwnershipControls
            PutAccessPointPolicy DeleteAccessPointPolicy ObjectOwnerOverrideToBucketOwner
        """,
        "tagging": """
            PutObjectTagging PutObjectVersionTagging DeleteObjectTagging DeleteObjectVersionTagging
            PutBucketTagging PutJobTagging DeleteJobTagging TagResource UntagResource
        """,
    },
    "dynamodb": {
        "list": """
            ListTables ListStreams ListBackups ListGlobalTables ListTagsOfResource ListExports ListImports
            ListContributorInsights
        """,
        "read": """
            GetItem BatchGetItem Query Scan DescribeTable DescribeStream GetRecords GetShardIterator
            DescribeTimeToLive DescribeContinuousBackups DescribeBackup DescribeGlobalTable
            DescribeGlobalTableSettings DescribeLimits DescribeReservedCapacity
            DescribeReservedCapacityOfferings DescribeEndpoints ConditionCheckItem PartiQLSelect
            DescribeKinesisStreamingDestination DescribeExport DescribeImport
            DescribeTableReplicaAutoScaling DescribeContributorInsights GetResourcePolicy
        """,
        "write": """
            PutItem UpdateItem DeleteItem BatchWriteItem CreateTable DeleteTable UpdateTable
            UpdateTimeToLive CreateBackup DeleteBackup RestoreTableFromBackup RestoreTableToPointInTime
            UpdateContinuousBackups CreateGlobalTable UpdateGlobalTable UpdateGlobalTableSettings
            PartiQLInsert PartiQLUpdate PartiQLDelete ExportTableToPointInTime ImportTable
            EnableKinesisStreamingDestination DisableKinesisStreamingDestination
            PurchaseReservedCapacityOfferings CreateTableReplica DeleteTableReplica
            UpdateContributorInsights
        """,
        "permissions": "PutResourcePolicy DeleteResourcePolicy",
        "tagging": "TagResource UntagResource",
    },
    "lambda": {
        "list": """
            ListFunctions ListAliases ListVersionsByFunction ListEventSourceMappings ListLayers
            ListLayerVersions ListTags ListFunctionUrlConfigs ListProvisionedConcurrencyConfigs
            ListFunctionEventInvokeConfigs ListCodeSigningConfigs ListFunctionsByCodeSigningConfig
        """,
        "read": """
            GetFunction GetFunctionConfiguration GetAccountSettings GetAlias GetPolicy GetEventSourceMapping
            GetLayerVersion GetLayerVersionPolicy GetFunctionConcurrency GetFunctionUrlConfig
            GetProvisionedConcurrencyConfig GetFunctionEventInvokeConfig GetFunctionCodeSigningConfig
            GetCodeSigningConfig GetRuntimeManagementConfig GetFunctionRecursionConfig
        """,
        "write": """
            InvokeFunction InvokeAsync InvokeFunctionUrl CreateFunction DeleteFunction UpdateFunctionCode
            UpdateFunctionConfiguration PublishVersion CreateAlias UpdateAlias DeleteAlias
            CreateEventSourceMapping UpdateEventSourceMapping DeleteEventSourceMapping PublishLayerVersion
            DeleteLayerVersion PutFunctionConcurrency DeleteFunctionConcurrency CreateFunctionUrlConfig
            UpdateFunctionUrlConfig DeleteFunctionUrlConfig PutProvisionedConcurrencyConfig
            DeleteProvisionedConcurrencyConfig PutFunctionEventInvokeConfig UpdateFunctionEventInvokeConfig
            DeleteFunctionEventInvokeConfig CreateCodeSigningConfig UpdateCodeSigningConfig
            DeleteCodeSigningConfig PutFunctionCodeSigningConfig DeleteFunctionCodeSigningConfig
            PutRuntimeManagementConfig PutFunctionRecursionConfig
        """,
        "permissions": """
            AddPermission RemovePermission AddLayerVersionPermission RemoveLayerVersionPermission
            EnableReplication DisableReplication
        """,
        "tagging": "TagResource UntagResource",
    },
    "logs": {
        "list": """
            DescribeLogGroups DescribeLogStreams DescribeMetricFilters DescribeSubscriptionFilters
            DescribeDestinations DescribeExportTasks DescribeQueries DescribeQueryDefinitions
            DescribeResourcePolicies ListTagsLogGroup ListTagsForResource ListLogDeliveries
        """,
        "read": """
            GetLogEvents FilterLogEvents GetLogGroupFields GetLogRecord GetQueryResults StartQuery StopQuery
            StartLiveTail TestMetricFilter GetDataProtectionPolicy GetLogDelivery
        """,
        "write": """
            CreateLogGroup CreateLogStream PutLogEvents DeleteLogGroup DeleteLogStream PutRetentionPolicy
            DeleteRetentionPolicy PutMetricFilter DeleteMetricFilter PutSubscriptionFilter
            DeleteSubscriptionFilter CreateExportTask CancelExportTask PutDestination DeleteDestination
            AssociateKmsKey DisassociateKmsKey PutQueryDefinition DeleteQueryDefinition CreateLogDelivery
            UpdateLogDelivery DeleteLogDelivery PutDataProtectionPolicy DeleteDataProtectionPolicy Link
            Unmask
        """,
        "permissions": "PutResourcePolicy DeleteResourcePolicy PutDestinationPolicy",
        "tagging": "TagLogGroup UntagLogGroup TagResource UntagResource",
    },
    "sqs": {
        "list": "ListQueues ListDeadLetterSourceQueues ListQueueTags ListMessageMoveTasks",
        "read": "ReceiveMessage GetQueueAttributes GetQueueUrl",
        "write": """
            SendMessage SendMessageBatch DeleteMessage DeleteMessageBatch ChangeMessageVisibility
            ChangeMessageVisibilityBatch CreateQueue DeleteQueue PurgeQueue SetQueueAttributes
            StartMessageMoveTask CancelMessageMoveTask
        """,
        "permissions": "AddPermission RemovePermission",
        "tagging": "TagQueue UntagQueue",
    },
    "sns": {
        "list": """
            ListTopics ListSubscriptions ListSubscriptionsByTopic ListTagsForResource
            ListPlatformApplications ListEndpointsByPlatformApplication ListPhoneNumbersOptedOut
            ListOriginationNumbers ListSMSSandboxPhoneNumbers
        """,
        "read": """
            GetTopicAttributes GetSubscriptionAttributes GetEndpointAttributes
            GetPlatformApplicationAttributes GetSMSAttributes CheckIfPhoneNumberIsOptedOut
            GetDataProtectionPolicy GetSMSSandboxAccountStatus
        """,
        "write": """
            Publish CreateTopic DeleteTopic Subscribe Unsubscribe ConfirmSubscription SetTopicAttributes
            SetSubscriptionAttributes CreatePlatformApplication DeletePlatformApplication
            SetPlatformApplicationAttributes CreatePlatformEndpoint DeleteEndpoint SetEndpointAttributes
            SetSMSAttributes OptInPhoneNumber PutDataProtectionPolicy CreateSMSSandboxPhoneNumber
            DeleteSMSSandboxPhoneNumber VerifySMSSandboxPhoneNumber
        """,
        "permissions": "AddPermission RemovePermission",
        "tagging": "TagResource UntagResource",
    },
    "kinesis": {
        "list": "ListStreams ListShards ListStreamConsumers ListTagsForStream ListTagsForResource",
        "read": """
            DescribeStream DescribeStreamSummary DescribeStreamConsumer DescribeLimits GetRecords
            GetShardIterator SubscribeToShard DescribeAccountSettings GetResourcePolicy
        """,
        "write": """
            PutRecord PutRecords CreateStream DeleteStream MergeShards SplitShard UpdateShardCount
            IncreaseStreamRetentionPeriod DecreaseStreamRetentionPeriod EnableEnhancedMonitoring
            DisableEnhancedMonitoring StartStreamEncryption StopStreamEncryption RegisterStreamConsumer
            DeregisterStreamConsumer UpdateStreamMode
        """,
        "permissions": "PutResourcePolicy DeleteResourcePolicy",
        "tagging": "AddTagsToStream RemoveTagsFromStream TagResource UntagResource",
    },
    "firehose": {
        "list": "ListDeliveryStreams ListTagsForDeliveryStream",
        "read": "DescribeDeliveryStream",
        "write": """
            PutRecord PutRecordBatch CreateDeliveryStream DeleteDeliveryStream UpdateDestination
            StartDeliveryStreamEncryption StopDeliveryStreamEncryption
        """,
        "tagging": "TagDeliveryStream UntagDeliveryStream",
    },
    "iam": {
        "list": """
            ListRoles ListUsers ListGroups ListPolicies ListPolicyVersions ListRolePolicies
            ListAttachedRolePolicies ListUserPolicies ListAttachedUserPolicies ListGroupPolicies
            ListAttachedGroupPolicies ListInstanceProfiles ListInstanceProfilesForRole ListAccessKeys
            ListAccountAliases ListEntitiesForPolicy ListGroupsForUser ListMFADevices ListVirtualMFADevices
            ListOpenIDConnectProviders ListSAMLProviders ListServerCertificates ListSigningCertificates
            ListSSHPublicKeys ListRoleTags ListUserTags ListPolicyTags ListServiceSpecificCredentials
            ListPoliciesGrantingServiceAccess ListInstanceProfileTags
        """,
        "read": """
            GetRole GetRolePolicy GetPolicy GetPolicyVersion GetUser GetUserPolicy GetGroup GetGroupPolicy
            GetInstanceProfile GetAccountAuthorizationDetails GetAccountSummary GetAccountPasswordPolicy
            GetCredentialReport GetAccessKeyLastUsed GetLoginProfile GetOpenIDConnectProvider
            GetSAMLProvider GetServerCertificate GetSSHPublicKey GetServiceLastAccessedDetails
            GetServiceLastAccessedDetailsWithEntities GetServiceLinkedRoleDeletionStatus
            GetContextKeysForCustomPolicy GetContextKeysForPrincipalPolicy GenerateCredentialReport
            GenerateServiceLastAccessedDetails SimulateCustomPolicy SimulatePrincipalPolicy GetMFADevice
            GenerateOrganizationsAccessReport GetOrganizationsAccessReport
        """,
        "write": """
            CreateRole DeleteRole UpdateRole UpdateRoleDescription CreateUser DeleteUser UpdateUser
            CreateGroup DeleteGroup UpdateGroup AddUserToGroup RemoveUserFromGroup CreateInstanceProfile
            DeleteInstanceProfile AddRoleToInstanceProfile RemoveRoleFromInstanceProfile CreateAccessKey
            DeleteAccessKey UpdateAccessKey CreateLoginProfile UpdateLoginProfile DeleteLoginProfile
            ChangePassword CreateServiceLinkedRole DeleteServiceLinkedRole CreateAccountAlias
            DeleteAccountAlias UpdateAccountPasswordPolicy DeleteAccountPasswordPolicy
            CreateVirtualMFADevice DeleteVirtualMFADevice EnableMFADevice DeactivateMFADevice
            ResyncMFADevice CreateOpenIDConnectProvider DeleteOpenIDConnectProvider
            UpdateOpenIDConnectProviderThumbprint AddClientIDToOpenIDConnectProvider
            RemoveClientIDFromOpenIDConnectProvider CreateSAMLProvider UpdateSAMLProvider DeleteSAMLProvider
            UploadServerCertificate UpdateServerCertificate DeleteServerCertificate UploadSigningCertificate
            UpdateSigningCertificate DeleteSigningCertificate UploadSSHPublicKey UpdateSSHPublicKey
            DeleteSSHPublicKey CreateServiceSpecificCredential DeleteServiceSpecificCredential
            ResetServiceSpecificCredential UpdateServiceSpecificCredential
            SetSecurityTokenServicePreferences PassRole
        """,
        "permissions": """
            AttachRolePolicy DetachRolePolicy PutRolePolicy DeleteRolePolicy AttachUserPolicy
            DetachUserPolicy PutUserPolicy DeleteUserPolicy AttachGroupPolicy DetachGroupPolicy
            PutGroupPolicy DeleteGroupPolicy CreatePolicy DeletePolicy CreatePolicyVersion
            DeletePolicyVersion SetDefaultPolicyVersion UpdateAssumeRolePolicy PutRolePermissionsBoundary
            DeleteRolePermissionsBoundary PutUserPermissionsBoundary DeleteUserPermissionsBoundary
        """,
        "tagging": """
            TagRole UntagRole TagUser UntagUser TagPolicy UntagPolicy TagInstanceProfile
            UntagInstanceProfile TagOpenIDConnectProvider UntagOpenIDConnectProvider TagSAMLProvider
            UntagSAMLProvider TagServerCertificate UntagServerCertificate TagMFADevice UntagMFADevice
        """,
    },
    "sts": {
        "read": """
            GetCallerIdentity GetSessionToken GetFederationToken GetAccessKeyInfo DecodeAuthorizationMessage
            GetServiceBearerToken
        """,
        "write": "AssumeRole AssumeRoleWithSAML AssumeRoleWithWebIdentity SetSourceIdentity",
        "tagging": "TagSession",
    },
    "kms": {
        "list": """
            ListKeys ListAliases ListGrants ListKeyPolicies ListResourceTags ListRetirableGrants
            ListKeyRotations
        """,
        "read": """
            DescribeKey GetKeyPolicy GetKeyRotationStatus GetPublicKey GetParametersForImport
            DescribeCustomKeyStores
        """,
        "write": """
            Decrypt Encrypt GenerateDataKey GenerateDataKeyWithoutPlaintext GenerateDataKeyPair
            GenerateDataKeyPairWithoutPlaintext ReEncryptFrom ReEncryptTo Sign Verify GenerateMac VerifyMac
            GenerateRandom CreateKey CreateAlias UpdateAlias DeleteAlias DisableKey EnableKey
            DisableKeyRotation EnableKeyRotation ScheduleKeyDeletion CancelKeyDeletion UpdateKeyDescription
            ImportKeyMaterial DeleteImportedKeyMaterial ReplicateKey UpdatePrimaryRegion
            CreateCustomKeyStore ConnectCustomKeyStore DisconnectCustomKeyStore DeleteCustomKeyStore
            UpdateCustomKeyStore RotateKeyOnDemand DeriveSharedSecret
        """,
        "permissions": "PutKeyPolicy CreateGrant RevokeGrant RetireGrant",
        "tagging": "TagResource UntagResource",
    },
    "secretsmanager": {
        "list": "ListSecrets ListSecretVersionIds",
        "read": "GetSecretValue DescribeSecret GetResourcePolicy GetRandomPassword BatchGetSecretValue",
        "write": """
            CreateSecret PutSecretValue UpdateSecret DeleteSecret RestoreSecret RotateSecret
            CancelRotateSecret UpdateSecretVersionStage ReplicateSecretToRegions
            RemoveRegionsFromReplication StopReplicationToReplica
        """,
        "permissions": "PutResourcePolicy DeleteResourcePolicy ValidateResourcePolicy",
        "tagging": "TagResource UntagResource",
    },
    "ssm": {
        "list": """
            DescribeParameters ListTagsForResource ListDocuments ListCommands ListCommandInvocations
            DescribeInstanceInformation ListAssociations
        """,
        "read": """
            GetParameter GetParameters GetParametersByPath GetParameterHistory GetDocument DescribeDocument
            GetCommandInvocation GetAutomationExecution DescribeAutomationExecutions GetConnectionStatus
            GetInventory
        """,
        "write": """
            PutParameter DeleteParameter DeleteParameters LabelParameterVersion UnlabelParameterVersion
            SendCommand StartSession TerminateSession ResumeSession StartAutomationExecution
            StopAutomationExecution CreateDocument UpdateDocument DeleteDocument CreateAssociation
            UpdateAssociation DeleteAssociation CancelCommand UpdateInstanceInformation PutInventory
            PutComplianceItems
        """,
        "permissions": "ModifyDocumentPermission",
        "tagging": "AddTagsToResource RemoveTagsFromResource",
    },
    "cloudfront": {
        # IAM Service Authorization Reference, CloudFront: ListDistributions is a List action.
        "list": "ListDistributions ListDistributionsByLambdaFunction",
    },
    "ec2": {
        "list": """
            DescribeNetworkInterfaces DescribeSubnets DescribeVpcs DescribeSecurityGroups
            DescribeSecurityGroupRules DescribeInstances DescribeInstanceStatus DescribeInstanceTypes
            DescribeRegions DescribeAvailabilityZones DescribeImages DescribeTags DescribeVpcEndpoints
            DescribeRouteTables DescribeAccountAttributes DescribeNetworkAcls DescribeAddresses
            DescribeKeyPairs DescribeVolumes DescribeSnapshots DescribeInternetGateways DescribeNatGateways
            DescribeDhcpOptions DescribePrefixLists DescribeLaunchTemplates DescribeLaunchTemplateVersions
        """,
        "read": "GetConsoleOutput",
        "write": """
            CreateNetworkInterface DeleteNetworkInterface AttachNetworkInterface DetachNetworkInterface
            AssignPrivateIpAddresses UnassignPrivateIpAddresses ModifyNetworkInterfaceAttribute RunInstances
            StartInstances StopInstances TerminateInstances RebootInstances CreateSecurityGroup
            DeleteSecurityGroup AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress
            RevokeSecurityGroupIngress RevokeSecurityGroupEgress CreateVpc DeleteVpc CreateSubnet
            DeleteSubnet CreateSnapshot DeleteSnapshot CreateVolume DeleteVolume AttachVolume DetachVolume
            CreateImage DeregisterImage ModifyInstanceAttribute ModifyImageAttribute AllocateAddress
            ReleaseAddress AssociateAddress DisassociateAddress CreateKeyPair DeleteKeyPair ImportKeyPair
            CreateLaunchTemplate DeleteLaunchTemplate
        """,
        "permissions": """
            CreateNetworkInterfacePermission DeleteNetworkInterfacePermission ModifySnapshotAttribute
        """,
        "tagging": "CreateTags DeleteTags",
    },
    "xray": {
        "list": "ListTagsForResource",
        "read": """
            GetSamplingRules GetSamplingTargets GetSamplingStatisticSummaries GetTraceSummaries
            BatchGetTraces GetServiceGraph GetTraceGraph GetGroups GetGroup GetEncryptionConfig
            GetInsightSummaries GetTimeSeriesServiceStatistics
        """,
        "write": """
            PutTraceSegments PutTelemetryRecords CreateGroup UpdateGroup DeleteGroup CreateSamplingRule
            UpdateSamplingRule DeleteSamplingRule PutEncryptionConfig
        """,
        "tagging": "TagResource UntagResource",
    },
    "cloudwatch": {
        "list": "ListMetrics ListDashboards ListTagsForResource ListMetricStreams",
        "read": """
            GetMetricData GetMetricStatistics GetMetricWidgetImage DescribeAlarms DescribeAlarmHistory
            DescribeAlarmsForMetric GetDashboard DescribeAnomalyDetectors DescribeInsightRules
            GetInsightRuleReport GetMetricStream
        """,
        "write": """
            PutMetricData PutMetricAlarm DeleteAlarms SetAlarmState EnableAlarmActions DisableAlarmActions
            PutDashboard DeleteDashboards PutCompositeAlarm PutAnomalyDetector DeleteAnomalyDetector
            PutInsightRule DeleteInsightRules PutMetricStream DeleteMetricStream StartMetricStreams
            StopMetricStreams
        """,
        "tagging": "TagResource UntagResource",
    },
    "events": {
        "list": """
            ListRules ListTargetsByRule ListEventBuses ListTagsForResource ListArchives ListConnections
            ListApiDestinations ListRuleNamesByTarget ListReplays ListEventSources
        """,
        "read": """
            DescribeRule DescribeEventBus DescribeArchive DescribeConnection DescribeApiDestination
            DescribeReplay DescribeEventSource TestEventPattern
        """,
        "write": """
            PutEvents PutRule DeleteRule EnableRule DisableRule PutTargets RemoveTargets CreateEventBus
            DeleteEventBus CreateArchive DeleteArchive UpdateArchive StartReplay CancelReplay
            CreateConnection UpdateConnection DeleteConnection CreateApiDestination UpdateApiDestination
            DeleteApiDestination
        """,
        "permissions": "PutPermission RemovePermission",
        "tagging": "TagResource UntagResource",
    },
    "states": {
        "list": """
            ListStateMachines ListExecutions ListActivities ListTagsForResource ListMapRuns
            ListStateMachineVersions ListStateMachineAliases
        """,
        "read": """
            DescribeStateMachine DescribeExecution DescribeActivity DescribeStateMachineForExecution
            GetExecutionHistory GetActivityTask DescribeMapRun DescribeStateMachineAlias
        """,
        "write": """
            StartExecution StartSyncExecution StopExecution CreateStateMachine UpdateStateMachine
            DeleteStateMachine CreateActivity DeleteActivity SendTaskSuccess SendTaskFailure
            SendTaskHeartbeat RedriveExecution PublishStateMachineVersion CreateStateMachineAlias
            UpdateStateMachineAlias DeleteStateMachineAlias DeleteStateMachineVersion UpdateMapRun
        """,
        "tagging": "TagResource UntagResource",
    },
    "ecr": {
        "list": "DescribeRepositories ListImages DescribeImages ListTagsForResource DescribeRegistry",
        "read": """
            GetAuthorizationToken BatchGetImage GetDownloadUrlForLayer BatchCheckLayerAvailability
            GetRepositoryPolicy GetLifecyclePolicy DescribeImageScanFindings GetRegistryPolicy
        """,
        "write": """
            PutImage InitiateLayerUpload UploadLayerPart CompleteLayerUpload CreateRepository
            DeleteRepository BatchDeleteImage PutLifecyclePolicy DeleteLifecyclePolicy StartImageScan
            PutImageTagMutability PutImageScanningConfiguration ReplicateImage PutReplicationConfiguration
        """,
        "permissions": "SetRepositoryPolicy DeleteRepositoryPolicy PutRegistryPolicy DeleteRegistryPolicy",
        "tagging": "TagResource UntagResource",
    },
    "execute-api": {
        "write": "Invoke ManageConnections InvalidateCache",
    },
    "apigateway": {
        "read": "GET",
        "write": "POST PUT PATCH DELETE",
        "permissions": "UpdateRestApiPolicy",
    },
    "ses": {
        "list": "ListIdentities ListTemplates ListConfigurationSets ListEmailIdentities",
        "read": "GetSendQuota GetSendStatistics GetIdentityVerificationAttributes GetTemplate GetAccount",
        "write": "SendEmail SendRawEmail SendTemplatedEmail SendBulkTemplatedEmail SendBulkEmail SendBounce",
    },
    "cloudformation": {
        "list": "ListStacks ListStackResources ListExports ListImports ListChangeSets",
        "read": """
            DescribeStacks DescribeStackResources DescribeStackResource DescribeStackEvents GetTemplate
            GetTemplateSummary ValidateTemplate DescribeChangeSet
        """,
        "write": "CreateStack UpdateStack DeleteStack CreateChangeSet ExecuteChangeSet DeleteChangeSet",
        "permissions": "SetStackPolicy",
        "tagging": "TagResource UntagResource",
    },
    "tag": {
        "read": "GetResources GetTagKeys GetTagValues",
        "tagging": "TagResources UntagResources",
    },
    "account": {
        "list": "ListRegions",
        "read": """
            GetAccountInformation GetGovCloudAccountInformation GetPrimaryEmail GetContactInformation
            GetAlternateContact GetRegionOptStatus
        """,
        "write": """
            PutContactInformation PutAlternateContact DeleteAlternateContact EnableRegion DisableRegion
            AcceptPrimaryEmailUpdate StartPrimaryEmailUpdate PutAccountName
        """,
    },
    "organizations": {
        "list": """
            ListAccounts ListRoots ListChildren ListParents ListPolicies ListPoliciesForTarget
            ListTargetsForPolicy ListOrganizationalUnitsForParent ListAccountsForParent ListTagsForResource
            ListHandshakesForAccount ListCreateAccountStatus ListDelegatedAdministrators
            ListAWSServiceAccessForOrganization
        """,
        "read": """
            DescribeOrganization DescribeAccount DescribeOrganizationalUnit DescribePolicy
            DescribeEffectivePolicy DescribeHandshake DescribeCreateAccountStatus
        """,
        "write": """
            CreateAccount CloseAccount RemoveAccountFromOrganization LeaveOrganization
            CreateOrganizationalUnit DeleteOrganizationalUnit UpdateOrganizationalUnit MoveAccount
            InviteAccountToOrganization EnableAWSServiceAccess DisableAWSServiceAccess CreateOrganization
            DeleteOrganization
        """,
        "permissions": """
            CreatePolicy UpdatePolicy DeletePolicy AttachPolicy DetachPolicy EnablePolicyType
            DisablePolicyType RegisterDelegatedAdministrator DeregisterDelegatedAdministrator
        """,
        "tagging": "TagResource UntagResource",
    },
    "budgets": {
        "read": """
            ViewBudget DescribeBudgetAction DescribeBudgetActionHistories DescribeBudgetActionsForAccount
            DescribeBudgetActionsForBudget ListTagsForResource
        """,
        "write": "ModifyBudget CreateBudgetAction UpdateBudgetAction DeleteBudgetAction ExecuteBudgetAction",
        "tagging": "TagResource UntagResource",
    },
}

# Write-side actions IAM only accepts on Resource "*": a "*" there is not over-broad.
_UNSCOPED_TEXT = """
    s3:CreateJob s3:PutAccountPublicAccessBlock
    dynamodb:PurchaseReservedCapacityOfferings
    lambda:CreateEventSourceMapping lambda:CreateCodeSigningConfig
    logs:PutResourcePolicy logs:DeleteResourcePolicy logs:PutQueryDefinition logs:DeleteQueryDefinition
    logs:CreateLogDelivery logs:UpdateLogDelivery logs:DeleteLogDelivery logs:CancelExportTask
    sns:CreatePlatformApplication sns:SetSMSAttributes sns:OptInPhoneNumber
    sns:CreateSMSSandboxPhoneNumber sns:DeleteSMSSandboxPhoneNumber sns:VerifySMSSandboxPhoneNumber
    iam:CreateAccountAlias iam:DeleteAccountAlias iam:UpdateAccountPasswordPolicy
    iam:DeleteAccountPasswordPolicy iam:SetSecurityTokenServicePreferences iam:CreateVirtualMFADevice
    kms:CreateKey kms:GenerateRandom kms:CreateCustomKeyStore kms:ConnectCustomKeyStore
    kms:DisconnectCustomKeyStore kms:DeleteCustomKeyStore kms:UpdateCustomKeyStore
    ssm:PutComplianceItems ssm:PutInventory ssm:UpdateInstanceInformation
    xray:PutTraceSegments xray:PutTelemetryRecords xray:PutEncryptionConfig
    cloudwatch:PutMetricData cloudwatch:PutAnomalyDetector cloudwatch:DeleteAnomalyDetector
    ecr:PutRegistryPolicy ecr:DeleteRegistryPolicy ecr:PutReplicationConfiguration
    states:SendTaskSuccess states:SendTaskFailure states:SendTaskHeartbeat
    cloudformation:CreateStack
    ec2:AllocateAddress ec2:ImportKeyPair ec2:CreateKeyPair
    tag:TagResources tag:UntagResources
    account:PutContactInformation account:EnableRegion account:DisableRegion
    account:AcceptPrimaryEmailUpdate account:StartPrimaryEmailUpdate
    organizations:CreateOrganization organizations:LeaveOrganization organizations:EnableAWSServiceAccess
    organizations:DisableAWSServiceAccess organizations:DeleteOrganization
    """
UNSCOPED = frozenset(a.lower() for a in _UNSCOPED_TEXT.split())
