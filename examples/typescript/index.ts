// A TypeScript program that keeps an X app's keys in AWS Secrets Manager with the
// twitter-secrets plugin, through the SDK `pulumi package add` generates.
import * as pulumi from "@pulumi/pulumi";
import * as twitterSecrets from "@twitter-secrets/twitter-secrets";

const config = new pulumi.Config();

const listener = new twitterSecrets.TwitterAppCredentials("listener", {
    project: "brand-monitoring",
    app: "listener",
    owner: "team-social",
    issuedAt: "2026-09-01",
    rotationIntervalDays: 90,
    accessTier: "basic",
    // requireSecret keeps each key encrypted in config and state.
    consumerKey: config.requireSecret("listenerApiKey"),
    consumerSecret: config.requireSecret("listenerApiKeySecret"),
    accessToken: config.requireSecret("listenerAccessToken"),
    accessTokenSecret: config.requireSecret("listenerAccessTokenSecret"),
});

const support = new twitterSecrets.TwitterProject("support", {
    project: "support",
    accessTier: "pro",
    apps: {
        responder: { owner: "support-bots", issuedAt: "2026-10-15", bearerRotationDays: 30 },
    },
    credentials: config.requireSecretObject<Record<string, Record<string, string>>>("supportCredentials"),
});

export const listenerSecretArn = listener.secretArn;
export const listenerRotationDueAt = listener.rotationDueAt;
export const supportSecretArns = support.secretArns;
