//! The elements' part of the demo: the products inside the products list, synced once a
//! person turns it on; an edit through the view goes out, an edit "in the UI" comes back, and
//! edits of different fields of one product on both sides merge with no conflict.

use anyhow::{Context, Result, ensure};
use serde_json::json;

use super::Demo;

const KETTLE: &str = "Чайник электрический Bosch TWK 3A011";
const PHONE: &str = "Смартфон Xiaomi Redmi Note 13 128 ГБ";

impl Demo {
    /// The products catalog's id in the account.
    fn products(&self) -> Result<i64> {
        self.account
            .catalogs()
            .into_iter()
            .find(|c| c.kind == "products")
            .map(|c| c.id)
            .context("the example account has a products catalog")
    }

    fn field(&self, catalog: i64, name: &str) -> Result<i64> {
        self.account
            .fields(catalog)
            .into_iter()
            .find(|f| f.name == name)
            .map(|f| f.id)
            .with_context(|| format!("the products catalog has a field {name:?}"))
    }

    fn element(&self, catalog: i64, name: &str) -> Result<i64> {
        self.account
            .elements(catalog)
            .iter()
            .find(|e| e["name"] == name)
            .and_then(|e| e["id"].as_i64())
            .with_context(|| format!("the account has the product {name:?}"))
    }

    pub(super) async fn elements_on(&self) -> Result<()> {
        println!(
            "\n== 5. Turning on the elements of the products list: its products come in, with a view"
        );
        self.sql(&["UPDATE desired_catalogs SET sync_elements = 1 WHERE type = 'products';"])
            .await?;
        let report = self.reconcile().await?;
        ensure!(
            report.counts.elements.adopted == 12 && report.counts.http_requests == 3,
            "expected 12 products with 3 requests (catalogs, products, their fields)"
        );
        let catalog = self.products()?;
        self.print_query(
            &format!("catalog_{catalog} (the first products)"),
            &format!(
                "SELECT id, name, \"Цена\", \"Единица\", \"Цвет\", \"В наличии\" FROM catalog_{catalog} LIMIT 5"
            ),
        )
        .await
    }

    pub(super) async fn element_edits(&self) -> Result<()> {
        println!(
            "\n== 6. A price changed through the view goes out; edits made in the UI come back; \
             the kettle's price (here) and colours (there) merge with no conflict"
        );
        let catalog = self.products()?;
        self.sql(&[&format!(
            "UPDATE catalog_{catalog} SET \"Цена\" = 2290 WHERE name = '{KETTLE}';"
        )])
        .await?;
        let kettle = self.element(catalog, KETTLE)?;
        let phone = self.element(catalog, PHONE)?;
        let colours = self.field(catalog, "Цвет")?;
        println!(
            "  UI: colours of #{kettle} -> Белый, Серый; rename #{phone} -> '{PHONE} (новинка)'"
        );
        self.account
            .set_element_value(kettle, colours, json!(["Белый", "Серый"]))
            .map_err(anyhow::Error::msg)?;
        self.account
            .rename_element(phone, &format!("{PHONE} (новинка)"))
            .map_err(anyhow::Error::msg)?;
        let report = self.reconcile().await?;
        let e = &report.counts.elements;
        ensure!(
            (e.updated, e.adopted, e.conflicts) == (1, 2, 0),
            "expected one PATCH, two adoptions, no conflict: {e:?}"
        );
        let patch = self
            .account
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.method == "PATCH")
            .context("no PATCH logged")?;
        println!(
            "\n  the PATCH body (the name, and only the field that changed):\n    {}",
            patch.body
        );
        self.print_query(
            &format!("catalog_{catalog} (the two products)"),
            &format!(
                "SELECT id, name, \"Цена\", \"Цвет\" FROM catalog_{catalog} WHERE remote_id IN ({kettle}, {phone})"
            ),
        )
        .await?;
        self.print_query(
            "change_log (elements)",
            "SELECT run_id, action, remote_id, after_json ->> '$.name' AS name FROM change_log \
             WHERE entity = 'element' AND action = 'update' ORDER BY id",
        )
        .await
    }
}
