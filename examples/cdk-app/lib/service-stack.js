'use strict';
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecs = require('aws-cdk-lib/aws-ecs');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');

/**
 * Blue/green on Fargate: two services (blue, green), each registered with its own target
 * group, behind one Application Load Balancer whose listener forwards to both with weights.
 * `deployment` names the color that receives `imageTag` (the new release); the other keeps
 * `liveImageTag`. slipway/traffic-shift@v1 with provider alb moves the listener's weights
 * between the two target groups (outputs ListenerArn, BlueTargetGroupArn, GreenTargetGroupArn).
 */
class ServiceStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const { vpc, database, settings, imageRepository, imageTag, liveImageTag, deployment } = props;
    if (deployment !== 'blue' && deployment !== 'green') {
      throw new Error(`context deployment must be blue or green; got "${deployment}"`);
    }
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing: true });
    const groups = {};
    for (const color of ['blue', 'green']) {
      const task = new ecs.FargateTaskDefinition(this, `${color}Task`, { cpu: 512, memoryLimitMiB: 1024 });
      const tag = color === deployment ? imageTag : liveImageTag;
      task.addContainer('app', {
        image: ecs.ContainerImage.fromRegistry(`${imageRepository}:${tag}`),
        portMappings: [{ containerPort: 80 }],
        environment: { DEPLOYMENT_COLOR: color, IMAGE_TAG: tag, DATABASE_HOST: database.dbInstanceEndpointAddress },
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: color }),
      });
      const service = new ecs.FargateService(this, `${color}Service`, {
        cluster,
        taskDefinition: task,
        desiredCount: settings.tasks,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        minHealthyPercent: 100,
        circuitBreaker: { rollback: true },
      });
      // The rule lives here, beside the service, so the database stack does not depend on it.
      new ec2.CfnSecurityGroupIngress(this, `${color}ToDatabase`, {
        groupId: database.connections.securityGroups[0].securityGroupId,
        sourceSecurityGroupId: service.connections.securityGroups[0].securityGroupId,
        ipProtocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        description: `${color} tasks to PostgreSQL`,
      });
      groups[color] = new elbv2.ApplicationTargetGroup(this, `${color}TargetGroup`, {
        vpc,
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targets: [service],
        healthCheck: { path: '/health', healthyHttpCodes: '200' },
      });
    }
    // All traffic on the live color; the shift moves it to `deployment` in phases.
    const live = deployment === 'blue' ? 'green' : 'blue';
    const listener = alb.addListener('Http', {
      port: 80,
      defaultAction: elbv2.ListenerAction.weightedForward([
        { targetGroup: groups[live], weight: 100 },
        { targetGroup: groups[deployment], weight: 0 },
      ]),
    });
    new cdk.CfnOutput(this, 'ServiceUrl', { value: `http://${alb.loadBalancerDnsName}` });
    new cdk.CfnOutput(this, 'ListenerArn', { value: listener.listenerArn });
    new cdk.CfnOutput(this, 'BlueTargetGroupArn', { value: groups.blue.targetGroupArn });
    new cdk.CfnOutput(this, 'GreenTargetGroupArn', { value: groups.green.targetGroupArn });
    new cdk.CfnOutput(this, 'NewTargetGroupArn', { value: groups[deployment].targetGroupArn });
    new cdk.CfnOutput(this, 'LiveTargetGroupArn', { value: groups[live].targetGroupArn });
  }
}

module.exports = { ServiceStack };
