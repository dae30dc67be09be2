#!/usr/bin/env node
// The stacks that workflows/fargate-cdk-production.yml deploys with
// `cdk deploy --all --context env=<dev|staging|prod> --context imageTag=<sha> [--context deployment=green]`:
// <prefix>-<env>-network, <prefix>-<env>-database and <prefix>-<env>-service, sized per
// environment as the deployment guide's table says (database class, tasks, deletion protection).
'use strict';
const cdk = require('aws-cdk-lib');
const { NetworkStack } = require('../lib/network-stack');
const { DatabaseStack } = require('../lib/database-stack');
const { ServiceStack } = require('../lib/service-stack');
const { settingsFor } = require('../lib/settings');

const app = new cdk.App();
const envName = app.node.tryGetContext('env') || 'dev';
const settings = settingsFor(envName);
const prefix = app.node.tryGetContext('prefix') || 'fargate';
const name = `${prefix}-${envName}`;
const tags = { Environment: envName, ManagedBy: 'slipway-example' };

const network = new NetworkStack(app, `${name}-network`, { tags });
const database = new DatabaseStack(app, `${name}-database`, {
  tags,
  vpc: network.vpc,
  settings,
});
new ServiceStack(app, `${name}-service`, {
  tags,
  vpc: network.vpc,
  database: database.instance,
  settings,
  imageRepository: app.node.tryGetContext('imageRepository'),
  imageTag: String(app.node.tryGetContext('imageTag') || 'latest'),
  liveImageTag: String(app.node.tryGetContext('liveImageTag') || app.node.tryGetContext('imageTag') || 'latest'),
  deployment: app.node.tryGetContext('deployment') || 'blue',
});
