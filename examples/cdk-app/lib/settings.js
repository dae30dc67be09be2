'use strict';
// The deployment guide's "Environment Configurations" table.
const SETTINGS = {
  dev: { instanceClass: 'micro', tasks: 1, multiAz: false, deletionProtection: false, backupDays: 7 },
  staging: { instanceClass: 'small', tasks: 2, multiAz: false, deletionProtection: false, backupDays: 7 },
  prod: { instanceClass: 'medium', tasks: 3, multiAz: false, deletionProtection: true, backupDays: 30 },
};

function settingsFor(envName) {
  const settings = SETTINGS[envName];
  if (!settings) {
    throw new Error(`context env must be one of ${Object.keys(SETTINGS).join(', ')}; got "${envName}"`);
  }
  return settings;
}

module.exports = { settingsFor, SETTINGS };
