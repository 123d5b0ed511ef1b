package budget_test

import (
	"testing"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/budgettest"
)

func TestMemoryContract(t *testing.T) {
	budgettest.Run(t, func(t *testing.T, p budget.Plan) budget.Store { return budget.NewMemory(p) })
}
