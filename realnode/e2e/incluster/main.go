package main

import (
	"context"
	"fmt"
	"os"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

func main() {
	secret := "db-password"
	if len(os.Args) > 1 {
		secret = os.Args[1]
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		fmt.Printf("ERROR in-cluster config: %v\n", err)
		idle()
	}
	cfg.Timeout = 10 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fmt.Printf("ERROR clientset: %v\n", err)
		idle()
	}
	ns, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
	if err != nil {
		fmt.Printf("ERROR namespace file: %v\n", err)
		idle()
	}
	ctx := context.Background()
	pods, err := cs.CoreV1().Pods(string(ns)).List(ctx, metav1.ListOptions{})
	report("list pods", err, func() string { return fmt.Sprintf("(%d)", len(pods.Items)) })
	_, err = cs.CoreV1().Secrets(string(ns)).Get(ctx, secret, metav1.GetOptions{})
	report("get secrets/"+secret, err, func() string { return "" })
	fmt.Println("DONE")
	idle()
}

// report prints the outcome of one call.
func report(what string, err error, detail func() string) {
	switch {
	case err == nil:
		fmt.Printf("ALLOWED %s %s\n", what, detail())
	case apierrors.IsForbidden(err):
		fmt.Printf("FORBIDDEN %s: %v\n", what, err)
	default:
		fmt.Printf("ERROR %s: %v\n", what, err)
	}
}

// idle keeps the container running so its log can be read.
func idle() {
	for {
		time.Sleep(time.Hour)
	}
}
