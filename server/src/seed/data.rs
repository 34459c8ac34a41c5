//! The demo catalog as data: invented product lines and products, no real brands.

use app::catalog::model::{
    Allergen as A, IngredientUnit as U, ProductForm as F, ProductKind, SkinType as S,
};

pub struct CategorySpec {
    pub slug: &'static str,
    pub name: &'static str,
    pub tagline: &'static str,
    pub kind: ProductKind,
    pub code: &'static str,
    pub products: &'static [ProductSpec],
}

pub struct ProductSpec {
    pub name: &'static str,
    pub form: F,
    pub line: usize,
    pub summary: &'static str,
    pub benefits: &'static [&'static str],
    pub ingredients: &'static [Ing],
    pub allergens: &'static [A],
    pub skin: &'static [S],
    /// Price of the smallest size, in cents.
    pub base_price: i64,
    pub featured: bool,
}

/// Ingredient name, amount per serving (decimal text and unit), % of the nutrient reference value.
pub struct Ing(
    pub &'static str,
    pub Option<(&'static str, U)>,
    pub Option<i32>,
);

/// Product lines: name and label colour.
pub const LINES: &[(&str, &str)] = &[
    ("Olivine Essentials", "#5b7a5a"),
    ("Northfield Botanics", "#9a7440"),
    ("Tidewater Labs", "#3d6a8a"),
    ("Meadowcraft", "#b0694f"),
    ("Saltmarsh Skin", "#5f7f86"),
    ("Verdant Ritual", "#75608f"),
];

// One table row per product: positional on purpose, so the catalog reads as a table.
#[allow(clippy::too_many_arguments)]
const fn p(
    name: &'static str,
    form: F,
    line: usize,
    summary: &'static str,
    benefits: &'static [&'static str],
    ingredients: &'static [Ing],
    allergens: &'static [A],
    skin: &'static [S],
    base_price: i64,
    featured: bool,
) -> ProductSpec {
    ProductSpec {
        name,
        form,
        line,
        summary,
        benefits,
        ingredients,
        allergens,
        skin,
        base_price,
        featured,
    }
}

const fn i(name: &'static str, amount: &'static str, unit: U, nrv: Option<i32>) -> Ing {
    Ing(name, Some((amount, unit)), nrv)
}

const fn n(name: &'static str) -> Ing {
    Ing(name, None, None)
}

// Kept as a table: one product per line reads better than rustfmt's layout.
#[rustfmt::skip]
pub const CATALOG: &[CategorySpec] = &[
    CategorySpec { slug: "vitamins", name: "Vitamins", tagline: "Everyday essentials, from D3 to a full B complex.", kind: ProductKind::Supplement, code: "VIT", products: &[
        p("Vitamin D3 1000 IU", F::Softgel, 0, "Sunshine vitamin in olive oil for the darker months.", &["immunity", "bones"], &[i("Vitamin D3 (cholecalciferol)", "25", U::Mcg, Some(500)), n("Extra virgin olive oil"), n("Bovine gelatin"), n("Glycerol")], &[], &[], 790, true),
        p("Vitamin D3 + K2", F::Capsule, 2, "D3 paired with K2 as MK-7 to help calcium find its way.", &["bones", "heart"], &[i("Vitamin D3 (cholecalciferol)", "50", U::Mcg, Some(1000)), i("Vitamin K2 (menaquinone-7)", "100", U::Mcg, Some(133)), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1490, false),
        p("Vitamin C 500 Buffered", F::Tablet, 0, "Gentle, non-acidic vitamin C with citrus bioflavonoids.", &["immunity", "energy"], &[i("Vitamin C (calcium ascorbate)", "500", U::Mg, Some(625)), i("Citrus bioflavonoids", "25", U::Mg, None), n("Microcrystalline cellulose")], &[], &[], 990, true),
        p("Methylated B Complex", F::Capsule, 2, "All eight B vitamins in their active, body-ready forms.", &["energy", "focus"], &[i("Thiamin", "25", U::Mg, Some(2273)), i("Riboflavin", "10", U::Mg, Some(714)), i("Vitamin B6 (P-5-P)", "10", U::Mg, Some(714)), i("Folate (methylfolate)", "400", U::Mcg, Some(200)), i("Vitamin B12 (methylcobalamin)", "100", U::Mcg, Some(4000)), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1690, false),
        p("Vitamin B12 Spray", F::Liquid, 3, "Fast, berry-flavoured B12 under the tongue.", &["energy"], &[i("Vitamin B12 (methylcobalamin)", "500", U::Mcg, Some(20000)), n("Purified water"), n("Xylitol"), n("Natural berry flavour")], &[], &[], 1290, false),
        p("Daily Multivitamin", F::Tablet, 0, "One-a-day foundation of 23 vitamins and minerals.", &["energy", "immunity"], &[i("Vitamin A", "400", U::Mcg, Some(50)), i("Vitamin C", "80", U::Mg, Some(100)), i("Vitamin D3", "10", U::Mcg, Some(200)), i("Zinc", "10", U::Mg, Some(100)), i("Iodine", "150", U::Mcg, Some(100)), n("Microcrystalline cellulose")], &[], &[], 1190, false),
        p("Children's Multi Gummies", F::Gummy, 3, "Strawberry gummies with the vitamins growing kids need.", &["immunity", "bones"], &[i("Vitamin D3", "10", U::Mcg, Some(200)), i("Vitamin C", "40", U::Mg, Some(50)), n("Glucose syrup"), n("Sugar"), n("Pectin"), n("Natural strawberry flavour")], &[], &[], 1090, false),
        p("Vitamin E Mixed Tocopherols", F::Softgel, 1, "Full-spectrum vitamin E from sunflower.", &["skin", "heart"], &[i("Vitamin E (mixed tocopherols)", "67", U::Mg, Some(558)), n("Sunflower oil"), n("Bovine gelatin")], &[A::Soy], &[], 1390, false),
    ]},
    CategorySpec { slug: "minerals", name: "Minerals", tagline: "Magnesium, zinc, iron and more, in gentle forms.", kind: ProductKind::Supplement, code: "MIN", products: &[
        p("Magnesium Bisglycinate", F::Capsule, 0, "Gentle on the stomach, for muscles and restful sleep.", &["sleep", "muscles"], &[i("Magnesium (bisglycinate)", "200", U::Mg, Some(53)), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1590, true),
        p("Zinc Picolinate 15 mg", F::Capsule, 2, "Well-absorbed zinc for immunity, skin and hair.", &["immunity", "skin"], &[i("Zinc (picolinate)", "15", U::Mg, Some(150)), n("Hydroxypropyl methylcellulose (capsule shell)"), n("Rice flour")], &[], &[], 890, false),
        p("Gentle Iron + C", F::Capsule, 0, "Iron bisglycinate with vitamin C, easy on digestion.", &["energy"], &[i("Iron (bisglycinate)", "14", U::Mg, Some(100)), i("Vitamin C", "40", U::Mg, Some(50)), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 990, false),
        p("Calcium + Magnesium + D3", F::Tablet, 1, "Bone-building trio in one daily tablet.", &["bones"], &[i("Calcium (citrate)", "400", U::Mg, Some(50)), i("Magnesium (citrate)", "150", U::Mg, Some(40)), i("Vitamin D3", "10", U::Mcg, Some(200)), n("Microcrystalline cellulose")], &[], &[], 1190, false),
        p("Selenium 100 mcg", F::Tablet, 2, "Antioxidant support from selenomethionine.", &["immunity"], &[i("Selenium (L-selenomethionine)", "100", U::Mcg, Some(182)), n("Microcrystalline cellulose")], &[], &[], 790, false),
        p("Ocean Iodine", F::Capsule, 4, "Iodine from sustainably harvested kelp for thyroid health.", &["energy", "metabolism"], &[i("Iodine (from kelp)", "150", U::Mcg, Some(100)), n("Hydroxypropyl methylcellulose (capsule shell)")], &[A::Fish], &[], 690, false),
        p("Magnesium Sleep Powder", F::Powder, 3, "Lemon-balm infused magnesium drink for wind-down.", &["sleep", "stress"], &[i("Magnesium (citrate)", "300", U::Mg, Some(80)), i("Lemon balm extract", "200", U::Mg, None), n("Natural lemon flavour"), n("Stevia leaf extract")], &[], &[], 1890, false),
        p("Potassium Citrate", F::Capsule, 0, "Electrolyte support for active days.", &["muscles", "hydration"], &[i("Potassium (citrate)", "200", U::Mg, Some(10)), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 890, false),
    ]},
    CategorySpec { slug: "omega-oils", name: "Omega & Fish Oils", tagline: "Clean, tested omega-3s from sea and plant.", kind: ProductKind::Supplement, code: "OMG", products: &[
        p("Wild Omega-3 1000 mg", F::Softgel, 2, "Molecularly distilled fish oil, lemon-fresh and burp-free.", &["heart", "brain"], &[i("Fish oil", "1000", U::Mg, None), i("EPA", "330", U::Mg, None), i("DHA", "220", U::Mg, None), n("Bovine gelatin"), n("Natural lemon oil")], &[A::Fish], &[], 1690, true),
        p("Algae Omega-3 Vegan", F::Softgel, 1, "Plant-based DHA and EPA straight from microalgae.", &["heart", "brain"], &[i("Algal oil", "800", U::Mg, None), i("DHA", "250", U::Mg, None), i("EPA", "125", U::Mg, None), n("Modified starch"), n("Carrageenan")], &[], &[], 2490, false),
        p("Cod Liver Oil Liquid", F::Liquid, 4, "Traditional Nordic cod liver oil with natural vitamins A and D.", &["immunity", "bones"], &[i("Cod liver oil", "5", U::G, None), i("Vitamin D", "10", U::Mcg, Some(200)), n("Natural orange flavour")], &[A::Fish], &[], 1390, false),
        p("Krill Oil 500 mg", F::Softgel, 2, "Phospholipid-bound omega-3 with astaxanthin.", &["heart", "joints"], &[i("Krill oil", "500", U::Mg, None), i("Astaxanthin", "100", U::Mcg, None), n("Bovine gelatin")], &[A::Shellfish], &[], 2990, false),
        p("Evening Primrose Oil", F::Softgel, 1, "GLA-rich primrose oil for skin and monthly balance.", &["skin", "hormones"], &[i("Evening primrose oil", "1000", U::Mg, None), i("GLA", "100", U::Mg, None), n("Bovine gelatin")], &[], &[], 1190, false),
        p("Omega 3-6-9 Balance", F::Softgel, 0, "Fish, flax and borage oils in one capsule.", &["heart"], &[i("Fish oil", "500", U::Mg, None), i("Flaxseed oil", "250", U::Mg, None), i("Borage oil", "250", U::Mg, None), n("Bovine gelatin")], &[A::Fish], &[], 1290, false),
        p("Flaxseed Oil Organic", F::Liquid, 3, "Cold-pressed organic flax, rich in ALA.", &["heart"], &[i("Organic flaxseed oil", "10", U::G, None)], &[], &[], 990, false),
        p("Kids' Omega Chews", F::Gummy, 3, "Orange chews with DHA for growing minds.", &["brain"], &[i("Fish oil", "250", U::Mg, None), i("DHA", "60", U::Mg, None), n("Glucose syrup"), n("Gelatin"), n("Natural orange flavour")], &[A::Fish], &[], 1290, false),
    ]},
    CategorySpec { slug: "protein", name: "Protein & Sport", tagline: "Clean proteins and recovery for active lives.", kind: ProductKind::Supplement, code: "PRO", products: &[
        p("Grass-Fed Whey Vanilla", F::Powder, 2, "24 g of protein from grass-fed cows, naturally sweetened.", &["muscles", "recovery"], &[i("Whey protein concentrate", "30", U::G, None), n("Natural vanilla flavour"), n("Sunflower lecithin"), n("Stevia leaf extract")], &[A::Milk], &[], 3490, true),
        p("Grass-Fed Whey Cacao", F::Powder, 2, "Rich cacao whey, 24 g protein per scoop.", &["muscles", "recovery"], &[i("Whey protein concentrate", "30", U::G, None), n("Fat-reduced cacao powder"), n("Sunflower lecithin"), n("Stevia leaf extract")], &[A::Milk], &[], 3490, false),
        p("Pea & Rice Protein", F::Powder, 1, "Complete vegan protein blend, smooth and unflavoured.", &["muscles"], &[i("Pea protein isolate", "20", U::G, None), i("Brown rice protein", "10", U::G, None)], &[], &[], 2990, false),
        p("Creatine Monohydrate", F::Powder, 2, "Pure micronised creatine for strength and power.", &["strength"], &[i("Creatine monohydrate", "5", U::G, None)], &[], &[], 2190, false),
        p("Electrolyte Hydration Mix", F::Powder, 3, "Sugar-free citrus electrolytes for long days and hot runs.", &["hydration", "muscles"], &[i("Sodium", "500", U::Mg, None), i("Potassium", "200", U::Mg, Some(10)), i("Magnesium", "60", U::Mg, Some(16)), n("Citric acid"), n("Natural lemon flavour")], &[], &[], 1590, false),
        p("Collagen Peptides", F::Powder, 0, "Unflavoured bovine collagen that dissolves in anything.", &["skin", "joints"], &[i("Hydrolysed bovine collagen", "10", U::G, None)], &[], &[], 2790, true),
        p("Oat & Almond Protein Bar Mix", F::Powder, 3, "Bake-at-home protein bar mix with oats and almonds.", &["energy"], &[n("Oat flour"), n("Almond flour"), i("Whey protein", "12", U::G, None), n("Date powder")], &[A::Gluten, A::TreeNuts, A::Milk], &[], 1290, false),
        p("Beta-Alanine Endurance", F::Capsule, 2, "Beta-alanine to push through the last kilometres.", &["endurance"], &[i("Beta-alanine", "800", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1690, false),
    ]},
    CategorySpec { slug: "gut-health", name: "Gut Health", tagline: "Probiotics, fibres and enzymes for a happy gut.", kind: ProductKind::Supplement, code: "GUT", products: &[
        p("Daily Probiotic 20 Billion", F::Capsule, 2, "Ten clinically studied strains, shelf-stable.", &["digestion", "immunity"], &[i("Live cultures (10 strains)", "20", U::BillionCfu, None), i("Inulin", "50", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 2490, true),
        p("Women's Flora Probiotic", F::Capsule, 1, "Lactobacillus strains chosen for women's intimate health.", &["digestion", "hormones"], &[i("Live cultures (6 strains)", "10", U::BillionCfu, None), i("Cranberry extract", "100", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[A::Milk], &[], 2290, false),
        p("Psyllium Husk Fibre", F::Powder, 0, "Whole psyllium husk for regularity, nothing added.", &["digestion"], &[i("Psyllium husk", "5", U::G, None)], &[], &[], 990, false),
        p("Digestive Enzyme Complex", F::Capsule, 2, "Broad-spectrum enzymes to take with larger meals.", &["digestion"], &[i("Amylase", "50", U::Mg, None), i("Protease", "50", U::Mg, None), i("Lipase", "20", U::Mg, None), i("Ginger root powder", "100", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1790, false),
        p("L-Glutamine Powder", F::Powder, 2, "Pure L-glutamine for gut lining and recovery.", &["digestion", "recovery"], &[i("L-glutamine", "5", U::G, None)], &[], &[], 1990, false),
        p("Apple Cider Vinegar Gummies", F::Gummy, 3, "The benefits of ACV without the sharp taste.", &["digestion", "metabolism"], &[i("Apple cider vinegar", "500", U::Mg, None), n("Glucose syrup"), n("Pectin"), n("Beetroot juice concentrate")], &[], &[], 1490, false),
        p("Kids' Probiotic Powder", F::Powder, 3, "Gentle strains for little tummies, mixes into cold food.", &["digestion", "immunity"], &[i("Live cultures (4 strains)", "5", U::BillionCfu, None), n("Inulin"), n("Maltodextrin")], &[A::Milk], &[], 1890, false),
        p("Slippery Elm & Marshmallow", F::Capsule, 1, "Soothing traditional botanicals for the digestive tract.", &["digestion"], &[i("Slippery elm bark", "400", U::Mg, None), i("Marshmallow root", "100", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1390, false),
    ]},
    CategorySpec { slug: "herbal", name: "Herbal & Adaptogens", tagline: "Time-honoured botanicals, standardised for strength.", kind: ProductKind::Supplement, code: "HRB", products: &[
        p("Ashwagandha KSM-66", F::Capsule, 1, "Full-spectrum root extract for calm and resilience.", &["stress", "sleep"], &[i("Ashwagandha root extract", "600", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1990, true),
        p("Turmeric & Black Pepper", F::Capsule, 1, "Curcumin with piperine for better absorption.", &["joints"], &[i("Turmeric root extract (95% curcuminoids)", "500", U::Mg, None), i("Black pepper extract", "5", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1690, false),
        p("Rhodiola Rosea", F::Capsule, 1, "Arctic root for focus under pressure.", &["focus", "stress"], &[i("Rhodiola rosea root extract", "400", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1790, false),
        p("Lion's Mane Mushroom", F::Capsule, 5, "Organic fruiting-body extract for clarity.", &["focus", "brain"], &[i("Lion's mane fruiting body extract", "1000", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 2390, false),
        p("Milk Thistle 80% Silymarin", F::Capsule, 1, "A traditional herb for liver support.", &["detox"], &[i("Milk thistle seed extract", "300", U::Mg, None), n("Hydroxypropyl methylcellulose (capsule shell)")], &[], &[], 1290, false),
        p("Echinacea & Elderberry", F::Liquid, 3, "Seasonal support in a warming syrup.", &["immunity"], &[i("Elderberry extract", "1", U::G, None), i("Echinacea purpurea extract", "400", U::Mg, None), n("Honey"), n("Purified water")], &[], &[], 1490, false),
        p("Valerian Night", F::Tablet, 5, "Valerian, hops and passionflower for restful nights.", &["sleep"], &[i("Valerian root extract", "300", U::Mg, None), i("Hops extract", "60", U::Mg, None), i("Passionflower extract", "100", U::Mg, None), n("Microcrystalline cellulose")], &[], &[], 1390, false),
        p("Reishi Calm Cacao", F::Powder, 5, "Evening cacao with reishi and cinnamon.", &["stress", "sleep"], &[n("Organic cacao"), i("Reishi mushroom extract", "1", U::G, None), n("Ceylon cinnamon"), n("Coconut milk powder")], &[A::TreeNuts], &[], 2490, false),
    ]},
    CategorySpec { slug: "face-serums", name: "Face Serums", tagline: "Concentrated actives for visible, gentle results.", kind: ProductKind::Skincare, code: "SER", products: &[
        p("Vitamin C 15% Brightening Serum", F::Serum, 4, "Stable ascorbic acid with ferulic acid for a brighter tone.", &["brightening", "antioxidant"], &[i("Ascorbic acid", "15", U::Percent, None), i("Ferulic acid", "0.5", U::Percent, None), n("Aqua"), n("Propanediol"), n("Tocopherol")], &[], &[S::Normal, S::Combination, S::Oily], 2890, true),
        p("Niacinamide 10% + Zinc", F::Serum, 4, "Refines pores and balances shine.", &["pores", "oil control"], &[i("Niacinamide", "10", U::Percent, None), i("Zinc PCA", "1", U::Percent, None), n("Aqua"), n("Pentylene glycol")], &[], &[S::Oily, S::Combination], 1690, true),
        p("Hyaluronic Acid Hydration Serum", F::Serum, 4, "Three weights of hyaluronic acid for plump, dewy skin.", &["hydration"], &[i("Sodium hyaluronate", "2", U::Percent, None), i("Panthenol", "1", U::Percent, None), n("Aqua"), n("Glycerin")], &[], &[S::Dry, S::Normal, S::Sensitive, S::Combination, S::Oily], 1990, false),
        p("Retinal 0.05% Night Serum", F::Serum, 5, "Next-generation retinoid that works faster, gentler.", &["anti-ageing", "texture"], &[i("Retinal", "0.05", U::Percent, None), n("Squalane"), n("Bisabolol"), n("Caprylic/capric triglyceride")], &[], &[S::Normal, S::Combination, S::Oily], 3490, false),
        p("Bakuchiol Plant Retinol Serum", F::Serum, 5, "A plant alternative to retinol, kind to sensitive skin.", &["anti-ageing"], &[i("Bakuchiol", "1", U::Percent, None), n("Squalane"), n("Rosehip seed oil")], &[], &[S::Sensitive, S::Dry, S::Normal], 2990, false),
        p("Azelaic Acid 10% Serum", F::Serum, 4, "Calms redness and evens tone.", &["redness", "brightening"], &[i("Azelaic acid", "10", U::Percent, None), n("Aqua"), n("Dimethyl isosorbide")], &[], &[S::Sensitive, S::Combination], 2290, false),
        p("Peptide Firming Serum", F::Serum, 5, "A peptide complex for firmer-looking skin.", &["anti-ageing", "firming"], &[i("Matrixyl 3000 peptides", "5", U::Percent, None), n("Aqua"), n("Glycerin"), n("Sodium hyaluronate")], &[], &[S::Dry, S::Normal, S::Combination], 3290, false),
        p("Rosehip Facial Oil", F::Oil, 1, "Cold-pressed organic rosehip for glow and repair.", &["hydration", "texture"], &[n("Rosa canina seed oil"), n("Tocopherol")], &[], &[S::Dry, S::Normal], 1890, false),
    ]},
    CategorySpec { slug: "moisturisers", name: "Moisturisers", tagline: "Barrier-loving creams for every skin.", kind: ProductKind::Skincare, code: "MOI", products: &[
        p("Ceramide Barrier Cream", F::Cream, 4, "Rich ceramide cream that rebuilds a stressed barrier.", &["barrier", "hydration"], &[n("Aqua"), n("Ceramide NP"), n("Cholesterol"), n("Shea butter"), n("Squalane")], &[], &[S::Dry, S::Sensitive], 2490, true),
        p("Oat Calm Daily Moisturiser", F::Cream, 1, "Colloidal oat to soothe reactive skin.", &["soothing"], &[n("Aqua"), n("Colloidal oatmeal"), n("Glycerin"), n("Allantoin")], &[A::Gluten], &[S::Sensitive, S::Dry, S::Normal], 1890, false),
        p("Gel-Cream Water Burst", F::Cream, 4, "Weightless hydration that sinks in fast.", &["hydration"], &[n("Aqua"), n("Glycerin"), n("Sodium hyaluronate"), n("Aloe barbadensis leaf juice")], &[], &[S::Oily, S::Combination, S::Normal], 1990, false),
        p("Mineral SPF 30 Day Cream", F::Cream, 4, "Zinc-oxide protection that leaves no white cast.", &["sun protection"], &[i("Zinc oxide", "18", U::Percent, None), n("Aqua"), n("Caprylic/capric triglyceride"), n("Jojoba oil")], &[], &[S::Sensitive, S::Normal, S::Combination, S::Dry], 2290, false),
        p("Night Repair Balm", F::Balm, 5, "Overnight balm of botanical oils and butters.", &["repair", "hydration"], &[n("Shea butter"), n("Sweet almond oil"), n("Beeswax"), n("Evening primrose oil")], &[A::TreeNuts], &[S::Dry], 2690, false),
        p("Eye Cream with Caffeine", F::Cream, 5, "Wakes up tired eyes and smooths fine lines.", &["puffiness", "anti-ageing"], &[i("Caffeine", "3", U::Percent, None), n("Aqua"), n("Peptides"), n("Sodium hyaluronate")], &[], &[S::Normal, S::Dry, S::Combination, S::Oily, S::Sensitive], 2190, false),
        p("Squalane Face Oil", F::Oil, 4, "Olive-derived squalane that mimics skin's own oils.", &["hydration", "barrier"], &[n("Squalane")], &[], &[S::Dry, S::Normal, S::Combination, S::Oily, S::Sensitive], 1490, false),
        p("Hemp Seed Lightweight Lotion", F::Cream, 1, "Balancing lotion for combination skin.", &["balance"], &[n("Aqua"), n("Cannabis sativa seed oil"), n("Glycerin"), n("Niacinamide")], &[], &[S::Combination, S::Oily], 1690, false),
    ]},
    CategorySpec { slug: "cleansers", name: "Cleansers & Toners", tagline: "Gentle cleansing that respects your skin.", kind: ProductKind::Skincare, code: "CLN", products: &[
        p("Gentle Cream Cleanser", F::Cleanser, 4, "Non-foaming cream wash that leaves skin soft.", &["cleansing", "soothing"], &[n("Aqua"), n("Glycerin"), n("Cetearyl alcohol"), n("Oat kernel extract")], &[], &[S::Dry, S::Sensitive, S::Normal], 1490, true),
        p("Foaming Gel Cleanser", F::Cleanser, 4, "A fresh gel that lifts oil without stripping.", &["cleansing", "oil control"], &[n("Aqua"), n("Coco-glucoside"), n("Glycerin"), n("Salicylic acid")], &[], &[S::Oily, S::Combination], 1290, false),
        p("Cleansing Balm Melt", F::Balm, 5, "Melts make-up and SPF, rinses clean.", &["cleansing"], &[n("Caprylic/capric triglyceride"), n("Sunflower seed oil"), n("Shea butter"), n("Polyglyceryl-4 oleate")], &[], &[S::Dry, S::Normal, S::Combination, S::Sensitive], 1990, false),
        p("Micellar Water", F::Liquid, 4, "One-step cleanse for face and eyes.", &["cleansing"], &[n("Aqua"), n("Poloxamer 184"), n("Cucumber extract")], &[], &[S::Sensitive, S::Normal, S::Dry, S::Combination, S::Oily], 990, false),
        p("Glycolic 7% Toning Solution", F::Liquid, 4, "Exfoliating toner for radiance and texture.", &["texture", "brightening"], &[i("Glycolic acid", "7", U::Percent, None), n("Aqua"), n("Aloe barbadensis leaf juice"), n("Ginseng root extract")], &[], &[S::Normal, S::Oily, S::Combination], 1490, false),
        p("Rose Water Facial Mist", F::Mist, 1, "Pure steam-distilled rose water to refresh.", &["hydration", "soothing"], &[n("Rosa damascena flower water")], &[], &[S::Sensitive, S::Dry, S::Normal], 1090, false),
        p("BHA Clarifying Toner", F::Liquid, 4, "2% salicylic acid to clear congested pores.", &["pores", "blemishes"], &[i("Salicylic acid", "2", U::Percent, None), n("Aqua"), n("Witch hazel water")], &[], &[S::Oily, S::Combination], 1390, false),
        p("Konjac Exfoliating Cleanser", F::Cleanser, 1, "Konjac powder and green clay for a gentle polish.", &["cleansing", "texture"], &[n("Aqua"), n("Konjac root powder"), n("Kaolin"), n("Green tea extract")], &[], &[S::Normal, S::Combination, S::Oily], 1290, false),
    ]},
    CategorySpec { slug: "body-care", name: "Body Care", tagline: "Nourishing body care from head to toe.", kind: ProductKind::Skincare, code: "BOD", products: &[
        p("Shea Body Butter", F::Cream, 1, "Whipped shea and cocoa butter for very dry skin.", &["hydration"], &[n("Butyrospermum parkii butter"), n("Theobroma cacao seed butter"), n("Sunflower seed oil")], &[], &[S::Dry, S::Normal], 1790, true),
        p("Magnesium Body Oil", F::Oil, 0, "Topical magnesium chloride for tired muscles.", &["muscles", "relaxation"], &[i("Magnesium chloride", "30", U::Percent, None), n("Aqua")], &[], &[S::Normal, S::Dry, S::Oily, S::Combination], 1490, false),
        p("Lavender Sleep Balm", F::Balm, 5, "Pulse-point balm of lavender and chamomile.", &["sleep", "relaxation"], &[n("Beeswax"), n("Sweet almond oil"), n("Lavandula angustifolia oil"), n("Chamomile extract")], &[A::TreeNuts], &[S::Normal, S::Dry, S::Sensitive], 1290, false),
        p("Urea 10% Foot Cream", F::Cream, 4, "Softens rough heels in days.", &["repair"], &[i("Urea", "10", U::Percent, None), n("Aqua"), n("Glycerin"), n("Lactic acid")], &[], &[S::Dry], 1190, false),
        p("Arnica Recovery Gel", F::Cream, 3, "Cooling arnica and menthol gel after sport.", &["muscles", "recovery"], &[n("Aqua"), n("Arnica montana flower extract"), n("Menthol"), n("Aloe barbadensis leaf juice")], &[], &[S::Normal, S::Oily, S::Combination, S::Dry], 1090, false),
        p("Coconut Hand Cream", F::Cream, 1, "Quick-absorbing hand cream with coconut and vitamin E.", &["hydration"], &[n("Aqua"), n("Cocos nucifera oil"), n("Glycerin"), n("Tocopherol")], &[], &[S::Dry, S::Normal], 890, false),
        p("Sesame Massage Oil", F::Oil, 5, "Warming sesame and ginger oil for massage.", &["relaxation"], &[n("Sesamum indicum seed oil"), n("Zingiber officinale root oil")], &[A::Sesame], &[S::Dry, S::Normal], 1590, false),
        p("Body Mineral Sunscreen SPF 50", F::Cream, 4, "Reef-considerate mineral protection for the whole family.", &["sun protection"], &[i("Zinc oxide", "20", U::Percent, None), n("Aqua"), n("Caprylic/capric triglyceride"), n("Sunflower seed oil")], &[], &[S::Sensitive, S::Normal, S::Dry, S::Combination, S::Oily], 2190, false),
    ]},
];
