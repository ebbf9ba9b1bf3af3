#include "ign/model.h"
#include "test_support.h"

using namespace ign;

class TestModel : public QObject {
    Q_OBJECT
private slots:
    void presetParameterCountsMatchTheMethod() {
        // Counted from ../shared/bench/ref_ign.py (net() and net_celeba()): conv weights plus norm affine.
        IgnNet mnist(preset_options("mnist28"));
        QCOMPARE(parameter_count(*mnist), int64_t(5049984));
        IgnNet dcgan(preset_options("dcgan64"));
        QCOMPARE(parameter_count(*dcgan), int64_t(13903488));
    }

    void outputHasTheInputShapeAndRange_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("norm");
        QTest::addColumn<int>("size");
        QTest::newRow("mnist28 batch") << "mnist28" << "batch" << 28;
        QTest::newRow("mnist28 group") << "mnist28" << "group" << 28;
        QTest::newRow("mnist28 none") << "mnist28" << "none" << 28;
        QTest::newRow("dcgan 32") << "dcgan64" << "group" << 32;
        QTest::newRow("dcgan 64") << "dcgan64" << "batch" << 64;
    }
    void outputHasTheInputShapeAndRange() {
        QFETCH(QString, preset);
        QFETCH(QString, norm);
        QFETCH(int, size);
        auto o = preset_options(preset.toStdString());
        o.norm = norm_from_string(norm.toStdString());
        o.image_size = size;
        o.width = 8;
        o.latent = 32;
        IgnNet f(o);
        auto x = torch::randn({3, o.channels, size, size});
        auto y = f->forward(x);
        QCOMPARE(y.sizes().vec(), x.sizes().vec());
        QVERIFY(y.abs().max().item<double>() <= 1.0);
    }

    void normOptionChangesTheLayers() {
        auto o = testing::tiny_model(Norm::None);
        IgnNet none(o);
        o.norm = Norm::Group;
        IgnNet group(o);
        QVERIFY(parameter_count(*group) > parameter_count(*none));
        QCOMPARE(none->buffers().size(), size_t(0));
    }

    void invalidOptionsAreRefusedWithAReason() {
        auto o = preset_options("mnist28");
        o.image_size = 30;
        try {
            IgnNet f(o);
            QFAIL("size 30 accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY(QString(e.what()).contains("image size"));
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, preset_options("vgg"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, norm_from_string("layer"));
    }

    void wrongInputShapeIsNamed() {
        auto o = testing::tiny_model();
        try {
            check_input_shape(o, torch::zeros({2, 3, 28, 28}), "image.png");
            QFAIL("wrong channels accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY(QString(e.what()).contains("image.png"));
            QVERIFY(QString(e.what()).contains("[N, 1, 28, 28]"));
        }
    }

    void initialisationFollowsDcgan() {
        IgnNet f(preset_options("dcgan64"));
        auto w = f->encoder->ptr(2)->named_parameters()["weight"];  // second conv
        QVERIFY(std::abs(w.std().item<double>() - 0.02) < 0.002);
        QVERIFY(std::abs(w.mean().item<double>()) < 0.001);
    }
};

IGN_TEST_MAIN(TestModel)
#include "test_model.moc"
