// pm2 ecosystem file for Pylon beside a validator that pm2 already runs (deploy/README.md):
//   pm2 start deploy/ecosystem.config.js && pm2 save
// One app per subnet/identity; copy the block for another, with its own name, port, cwd and
// PYLON_SHM_NAME if two share a subnet.
module.exports = {
  apps: [
    {
      name: "pylon-sn1",
      // The binary itself, not Node: no interpreter.
      script: "/usr/bin/pylon",
      args: "run",
      interpreter: "none",
      // The SQLite store's folder; `pylon run` also reads ./.env from here (none unless you put one).
      cwd: "/var/lib/pylon/sn1",
      // pm2 stops an app with SIGINT, which Pylon takes as SIGTERM: it drains, stores queued
      // weights and watches a submission in flight to its end (up to 30 s). pm2's default is to
      // SIGKILL after 1.6 s: give it 45.
      kill_timeout: 45000,
      autorestart: true,
      // A bad setting exits at once with a message: back off instead of a tight restart loop.
      exp_backoff_restart_delay: 1000,
      max_restarts: 20,
      min_uptime: 10000,
      // One process, never pm2's cluster mode: one writer of the store, one signer of the hotkey.
      instances: 1,
      exec_mode: "fork",
      time: true,
      env: {
        PYLON_NETUID: "1",
        PYLON_CHAIN_URLS: "finney",
        PYLON_WALLET_PATH: "/home/validator/.bittensor/wallets",
        PYLON_WALLET_NAME: "validator",
        PYLON_WALLET_HOTKEY: "default",
        PYLON_DB_PATH: "/var/lib/pylon/sn1/pylon.db",
        PYLON_HTTP_HOST: "127.0.0.1",
        PYLON_HTTP_PORT: "8000",
        // The token as a file (mode 0600, the pm2 user's): pm2 shows `env` in `pm2 env <id>`.
        PYLON_AUTH_TOKEN_FILE: "/var/lib/pylon/sn1/token",
        PYLON_LOG_FORMAT: "text",
      },
    },
  ],
};
