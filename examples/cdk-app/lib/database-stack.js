'use strict';
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const rds = require('aws-cdk-lib/aws-rds');

/** PostgreSQL on RDS: db.t3.micro / small / medium, deletion protection in prod. */
class DatabaseStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const { vpc, settings } = props;
    this.instance = new rds.DatabaseInstance(this, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize[settings.instanceClass.toUpperCase()]),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      multiAz: settings.multiAz,
      deletionProtection: settings.deletionProtection,
      backupRetention: cdk.Duration.days(settings.backupDays),
      credentials: rds.Credentials.fromGeneratedSecret('app'),
      removalPolicy: settings.deletionProtection ? cdk.RemovalPolicy.SNAPSHOT : cdk.RemovalPolicy.DESTROY,
    });
    new cdk.CfnOutput(this, 'DatabaseEndpoint', { value: this.instance.dbInstanceEndpointAddress });
  }
}

module.exports = { DatabaseStack };
