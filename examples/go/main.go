// A Go program that keeps X apps' keys in AWS Secrets Manager with the twitter-secrets
// plugin, through the SDK `pulumi package add ../../provider` generates into sdks/.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"github.com/twitter-secrets/pulumi-twitter-secrets/sdk/go/twittersecrets"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		// RequireSecret keeps each key encrypted in config and state.
		listener, err := twittersecrets.NewTwitterAppCredentials(ctx, "listener", &twittersecrets.TwitterAppCredentialsArgs{
			Project:              "brand-monitoring",
			App:                  "listener",
			Owner:                "team-social",
			IssuedAt:             "2026-09-01",
			RotationIntervalDays: pulumi.IntRef(90),
			AccessTier:           pulumi.StringRef("basic"),
			ConsumerKey:          cfg.RequireSecret("listenerApiKey"),
			ConsumerSecret:       cfg.RequireSecret("listenerApiKeySecret"),
			AccessToken:          cfg.RequireSecret("listenerAccessToken"),
			AccessTokenSecret:    cfg.RequireSecret("listenerAccessTokenSecret"),
		})
		if err != nil {
			return err
		}
		support, err := twittersecrets.NewTwitterProject(ctx, "support", &twittersecrets.TwitterProjectArgs{
			Project:    "support",
			AccessTier: pulumi.StringRef("pro"),
			Apps: twittersecrets.TwitterProjectAppMap{
				"responder": twittersecrets.TwitterProjectAppArgs{
					Owner:    "support-bots",
					IssuedAt: "2026-10-15",
				},
			},
			Credentials: pulumi.StringMapMap{
				"responder": pulumi.StringMap{
					"consumer_key":        cfg.RequireSecret("responderApiKey"),
					"consumer_secret":     cfg.RequireSecret("responderApiKeySecret"),
					"access_token":        cfg.RequireSecret("responderAccessToken"),
					"access_token_secret": cfg.RequireSecret("responderAccessTokenSecret"),
				},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("listenerSecretArn", listener.SecretArn)
		ctx.Export("listenerRotationDueAt", listener.RotationDueAt)
		ctx.Export("supportSecretArns", support.SecretArns)
		return nil
	})
}
